// Live totals while typing. The server computes the saved totals; this only
// previews them, reading numbers the way the page's language writes them.
(function () {
  "use strict";
  var table = document.getElementById("appendix");
  if (!table || table.dataset.editable !== "1") { return; }
  var grid = window.appendixGrid;
  var lang = document.documentElement.lang || "vi";
  var thousands = lang === "vi" ? "." : ",";
  var decimal = lang === "vi" ? "," : ".";
  var allocKeys = ["alloc-invest-ctmt", "alloc-invest-self", "alloc-invest-separate",
    "alloc-recurrent-ctmt", "alloc-recurrent-self", "alloc-recurrent-separate"];

  // The grammar of submissions/inputs.py: thousands in groups of three, or none; a number
  // the server will refuse ("12.34" in Vietnamese) adds nothing to the preview.
  function escape(c) { return c === "." ? "\\." : c; }
  var wellFormed = new RegExp("^-?(\\d{1,3}(" + escape(thousands) + "\\d{3})+|\\d+)(" +
    escape(decimal) + "\\d+)?$");
  function parse(text) {
    text = (text || "").trim();
    if (!text || !wellFormed.test(text)) { return null; }
    var n = Number(text.split(thousands).join("").replace(decimal, "."));
    return isFinite(n) ? n : null;
  }
  function show(n) {
    if (n === null) { return ""; }
    return (Math.round(n * 1000) / 1000).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB",
      { maximumFractionDigits: 3 });
  }
  function recompute() {
    var grand = {};
    var group = null;
    var rows = table.tBodies[0].rows;
    function add(bucket, key, value) {
      if (value !== null) { bucket[key] = (bucket[key] || 0) + value; }
    }
    function flush() {
      if (!group) { return; }
      group.row.querySelectorAll("td.num[data-key]").forEach(function (td) {
        var v = group.sums[td.dataset.key];
        td.textContent = v === undefined ? "" : show(v);
      });
    }
    for (var i = 0; i < rows.length; i++) {
      var tr = rows[i];
      if (tr.id === "grand-total") { break; }
      if (tr.classList.contains("row-group") && !tr.classList.contains("row-line")) {
        flush();
        group = { row: tr, sums: {} };
        continue;
      }
      var values = {};
      tr.querySelectorAll("td[data-col]").forEach(function (td) {
        var input = td.querySelector("input");
        values[td.dataset.col] = input ? parse(input.value) : null;
      });
      var parts = allocKeys.map(function (k) { return values[k]; })
        .filter(function (v) { return v !== null && v !== undefined; });
      values["alloc-total"] = parts.length ? parts.reduce(function (a, b) { return a + b; }, 0) : null;
      tr.querySelectorAll("td.computed").forEach(function (td) { td.textContent = show(values["alloc-total"]); });
      if (tr.classList.contains("row-group-entry")) { flush(); group = null; }
      Object.keys(values).forEach(function (k) {
        add(grand, k, values[k]);
        if (group) { add(group.sums, k, values[k]); }
      });
    }
    flush();
    document.querySelectorAll("#grand-total td.num[data-key]").forEach(function (td) {
      var v = grand[td.dataset.key];
      td.textContent = v === undefined ? "" : show(v);
    });
  }
  table.addEventListener("input", function (event) {
    recompute();
    if (grid) { grid.announceTotals(event.target); }
  });
  // A second click on Save while the first is on its way must not post twice.
  var form = document.getElementById("appendix-form");
  form.addEventListener("submit", function () {
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
