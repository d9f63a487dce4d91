// "Select all" for the reminder checkboxes on the dashboard's current page.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("#provinces input.pick:not([disabled])").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
