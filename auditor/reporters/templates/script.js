(function () {
  "use strict";

  // ---- sortable tables: click a header to sort, click again to reverse ----
  function cellKey(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (!numeric) { return raw; }
    if (raw === "") { return null; }
    var value = parseFloat(raw);
    return isNaN(value) ? null : value;
  }

  function sortBy(table, th) {
    var headers = Array.prototype.slice.call(th.parentNode.cells);
    var index = headers.indexOf(th);
    var numeric = th.getAttribute("data-type") === "num";
    var current = th.getAttribute("aria-sort");
    var direction = current === "descending" ? "ascending" :
      (current === "ascending" ? "descending" : (numeric ? "descending" : "ascending"));
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction);
    var sign = direction === "ascending" ? 1 : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: cellKey(row, index, numeric), position: position };
    });
    rows.sort(function (a, b) {
      // empty values (e.g. no risk score because of an error) always go last
      if (a.key === null || a.key === "") { return (b.key === null || b.key === "") ? a.position - b.position : 1; }
      if (b.key === null || b.key === "") { return -1; }
      var cmp = numeric ? a.key - b.key : String(a.key).localeCompare(String(b.key), "zh-CN");
      return cmp !== 0 ? sign * cmp : a.position - b.position;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    Array.prototype.forEach.call(head.cells, function (th) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", "点击排序");
      th.addEventListener("click", function () { sortBy(table, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, th); }
      });
    });
  });

  // ---- findings: click a finding to scroll to its first highlight and flash it ----
  function flash(element) {
    element.classList.remove("flash");
    void element.offsetWidth; // restart the animation
    element.classList.add("flash");
    window.setTimeout(function () { element.classList.remove("flash"); }, 1800);
  }

  function marksOf(findingId) {
    return document.querySelectorAll('mark[data-finding~="' + findingId + '"]');
  }

  function goToFinding(card) {
    var id = card.getAttribute("data-goto");
    document.querySelectorAll("li.finding.active").forEach(function (c) { c.classList.remove("active"); });
    card.classList.add("active");
    var marks = marksOf(id);
    if (marks.length === 0) { flash(card); return; }
    // the first mark that is shown (a table's separators are hidden: their marks have no box)
    var shown = Array.prototype.filter.call(marks, function (m) { return m.getClientRects().length > 0; });
    (shown[0] || marks[0]).scrollIntoView({ block: "center", inline: "nearest" });
    Array.prototype.forEach.call(marks, flash);
  }

  document.addEventListener("click", function (event) {
    var alignLink = event.target.closest("a[data-align]");
    if (alignLink) {
      var block = document.getElementById(alignLink.getAttribute("data-align"));
      if (block) { event.preventDefault(); block.scrollIntoView({ block: "start" }); flash(block); }
      return;
    }
    if (event.target.closest("a")) { return; }
    var card = event.target.closest("li.finding[data-goto]");
    if (card) { goToFinding(card); return; }
    var mark = event.target.closest("mark[data-finding]");
    if (mark) {
      var first = mark.getAttribute("data-finding").split(" ")[0];
      var target = document.getElementById(first);
      if (target) {
        document.querySelectorAll("li.finding.active").forEach(function (c) { c.classList.remove("active"); });
        target.classList.add("active");
        target.scrollIntoView({ block: "nearest" });
        flash(target);
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    var card = event.target.closest && event.target.closest("li.finding[data-goto]");
    if (card) { event.preventDefault(); goToFinding(card); }
  });
})();
