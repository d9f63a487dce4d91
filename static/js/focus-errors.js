// A refused form: focus moves to the summary of its errors, so that a screen reader reads
// them first and a keyboard user starts from there (the summary has tabindex="-1").
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
});
