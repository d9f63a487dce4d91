// The appendix table for people who do not use a mouse (WCAG 2.1 AA):
// - every input is named by its row and the whole path of its column header (root to leaf),
//   through aria-labelledby pointing at the header cells the page already has: the server
//   lists a cell's path in its data-colhead (submissions.selectors.ColumnTree.path, the rule's
//   one home, which also names a changed cell in the review's diff);
// - the arrow keys and Enter move from cell to cell as in a spreadsheet; only one cell is in
//   the Tab order (a roving tabindex), so Tab leaves the table;
// - each error is tied to its field (aria-describedby, aria-invalid) and listed at the top
//   with links after a refused save, and focus moves to that list;
// - totals are announced politely (aria-live) when typing changes them (appendix.js asks).
(function () {
  "use strict";
  var table = document.getElementById("appendix");
  if (!table) { return; }
  var CONTROLS = "input:not([type=hidden]), textarea, select";

  function ids(el, name) { return (el.getAttribute(name) || "").split(/\s+/).filter(Boolean); }
  function text(id) {
    var el = document.getElementById(id);
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }
  var SEPARATOR = table.dataset.separator || " ";
  // A column's name: its header cells from the root of the tree down to the leaf.
  function columnName(td) { return ids(td, "data-colhead").map(text).join(SEPARATOR); }

  // Names and error links.
  var cells = [].slice.call(table.querySelectorAll("td[data-colhead]"));
  cells.forEach(function (td) {
    var row = td.parentElement.dataset.rowhead || "";
    var column = td.dataset.colhead;
    td.querySelectorAll(CONTROLS).forEach(function (control) {
      var own = document.getElementById(control.id + "-name");
      control.setAttribute("aria-labelledby",
        (row + " " + column + (own ? " " + own.id : "")).trim());
    });
  });
  var problems = [];
  // The error's id is the control's and "_error", as Django's own aria-describedby names it.
  table.querySelectorAll(".field-error[id$='_error']").forEach(function (error) {
    var control = document.getElementById(error.id.slice(0, -"_error".length));
    if (!control) { return; }
    var described = ids(control, "aria-describedby").filter(function (i) { return i !== error.id; });
    described.push(error.id);
    control.setAttribute("aria-describedby", described.join(" "));
    control.setAttribute("aria-invalid", "true");
    problems.push({ control: control, message: error.textContent.trim() });
  });
  var summary = document.getElementById("error-summary");
  if (summary && problems.length) {
    var list = summary.querySelector("ul");
    problems.forEach(function (p) {
      var name = ids(p.control, "aria-labelledby").map(text).filter(Boolean).join(SEPARATOR) ||
        p.control.getAttribute("aria-label") || "";
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + p.control.id;
      link.textContent = (name ? name + ": " : "") + p.message;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        focusCell(p.control);
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.scrollIntoView({ block: "start" });
    summary.focus();
  }

  if (table.dataset.editable !== "1") { return; }

  // Keyboard: rows of cells; a cell holds its controls (a share and its reason are two).
  var rows = [].slice.call(table.tBodies[0].rows).map(function (tr) {
    return [].slice.call(tr.querySelectorAll("td[data-colhead]")).map(function (td) {
      return { td: td, controls: [].slice.call(td.querySelectorAll(CONTROLS)) };
    }).filter(function (cell) { return cell.controls.length; });
  }).filter(function (row) { return row.length; });
  var all = [];
  rows.forEach(function (row, r) {
    row.forEach(function (cell, c) {
      cell.controls.forEach(function (control, k) {
        control.dataset.gridPos = r + "," + c + "," + k;
        control.tabIndex = -1;
        all.push(control);
      });
    });
  });
  if (!all.length) { return; }
  var current = problems.length ? problems[0].control : all[0];
  if (all.indexOf(current) < 0) { current = all[0]; }
  current.tabIndex = 0;

  function focusCell(control) {
    if (all.indexOf(control) >= 0) {
      current.tabIndex = -1;
      current = control;
      current.tabIndex = 0;
    }
    control.focus();
    if (control.select) { control.select(); }
  }
  function position(control) { return control.dataset.gridPos.split(",").map(Number); }
  function columnIndex(row, td) {
    // The same column in another row: cells are one per leaf column in every row.
    return [].indexOf.call(td.parentElement.cells, td);
  }
  function vertical(control, step) {
    var p = position(control);
    var td = rows[p[0]][p[1]].td;
    var index = columnIndex(rows[p[0]], td);
    for (var r = p[0] + step; r >= 0 && r < rows.length; r += step) {
      for (var c = 0; c < rows[r].length; c++) {
        if (columnIndex(rows[r], rows[r][c].td) === index) {
          var controls = rows[r][c].controls;
          return controls[Math.min(p[2], controls.length - 1)];
        }
      }
    }
    return null;
  }
  function horizontal(control, step) {
    var i = all.indexOf(control) + step;
    if (i < 0 || i >= all.length) { return null; }
    var target = all[i];
    return position(target)[0] === position(control)[0] ? target : null;
  }
  // A cell just arrived at has its whole value selected: arrows move on at once, as in a
  // spreadsheet; once the caret is placed, they move it until it reaches an edge.
  function wholeSelected(el) {
    return el.selectionStart === 0 && el.selectionEnd === el.value.length;
  }
  function caretAtStart(el) {
    return el.tagName === "SELECT" || wholeSelected(el) ||
      (el.selectionStart === 0 && el.selectionEnd === 0);
  }
  function caretAtEnd(el) {
    return el.tagName === "SELECT" || wholeSelected(el) ||
      (el.selectionStart === el.value.length && el.selectionEnd === el.value.length);
  }
  function onFirstLine(el) {
    return el.tagName !== "TEXTAREA" || wholeSelected(el) ||
      el.value.lastIndexOf("\n", el.selectionStart - 1) < 0;
  }
  function onLastLine(el) {
    return el.tagName !== "TEXTAREA" || wholeSelected(el) ||
      el.value.indexOf("\n", el.selectionEnd) < 0;
  }
  // The first control outside the table, after or before it, that Tab would reach.
  function outside(forward) {
    var focusable = [].slice.call(document.querySelectorAll(
      "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary, [tabindex='0']"
    )).filter(function (el) {
      return !table.contains(el) && el.tabIndex >= 0 && el.offsetParent !== null;
    });
    var after = focusable.filter(function (el) {
      return table.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    var before = focusable.filter(function (el) {
      return table.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING;
    });
    return forward ? after[0] : before[before.length - 1];
  }

  table.addEventListener("focusin", function (event) {
    var control = event.target;
    if (control.dataset && control.dataset.gridPos && control !== current) {
      current.tabIndex = -1;
      current = control;
      current.tabIndex = 0;
    }
  });
  table.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.gridPos || event.ctrlKey || event.metaKey) { return; }
    var target = null;
    var key = event.key;
    if (key === "Tab") {
      // Tab leaves the table, whichever cell it is pressed in.
      target = outside(!event.shiftKey);
      if (target) { event.preventDefault(); target.focus(); }
      return;
    }
    if (event.altKey) {
      if (key === "Enter" && el.tagName === "TEXTAREA") {
        event.preventDefault();
        var start = el.selectionStart;
        el.setRangeText("\n", start, el.selectionEnd, "end");
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
      return;  // Alt+↓ opens a select's list; Alt+arrows are the browser's otherwise.
    }
    if (key === "Enter") {
      target = vertical(el, event.shiftKey ? -1 : 1);
      event.preventDefault();  // never submit the form from a cell
    } else if (key === "ArrowDown" && onLastLine(el)) {
      target = vertical(el, 1);
    } else if (key === "ArrowUp" && onFirstLine(el)) {
      target = vertical(el, -1);
    } else if (key === "ArrowLeft" && caretAtStart(el)) {
      target = horizontal(el, -1);
    } else if (key === "ArrowRight" && caretAtEnd(el)) {
      target = horizontal(el, 1);
    } else {
      return;
    }
    if (target) {
      event.preventDefault();
      focusCell(target);
    } else if (el.tagName === "SELECT" && key.indexOf("Arrow") === 0) {
      event.preventDefault();  // at the edge: stay, and do not change the choice
    }
  });

  // Totals, read out after typing pauses: the edited column's group and grand total.
  var live = document.getElementById("totals-live");
  var pending = null;
  function announceTotals(control) {
    if (!live || !control || !control.closest) { return; }
    var td = control.closest("td[data-colhead]");
    if (!td) { return; }
    clearTimeout(pending);
    pending = setTimeout(function () {
      var key = td.dataset.col;
      var parts = [];
      var column = columnName(td);
      var row = td.parentElement;
      var group = row;
      while (group && !(group.classList.contains("row-group") && !group.classList.contains("row-line"))) {
        group = group.previousElementSibling;
      }
      [group, document.getElementById("grand-total")].forEach(function (tr) {
        var cell = tr && tr.querySelector("td.num[data-key='" + key + "']");
        if (cell) {
          var label = tr.querySelector("th");
          var name = label ? label.firstChild.textContent.replace(/\s+/g, " ").trim() : "";
          parts.push(name + ", " + column + ": " + (cell.textContent.trim() || "—"));
        }
      });
      live.textContent = parts.filter(Boolean).join("; ");
    }, 700);
  }
  window.appendixGrid = { announceTotals: announceTotals, focusCell: focusCell };
})();
