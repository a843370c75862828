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

  // ---- review marks: 已复核 / 误报 / 待跟进 per finding, exported as the decisions file (CSV) that
  // `auditor check --review FILE` reads (columns and statuses come from window.AUDITOR_REVIEW) ----
  var reviewData = window.AUDITOR_REVIEW;
  var decisions = {};  // finding card id (r1-f0) -> {status, reason, by, at}

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function nowText() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function reviewCsv() {
    var rows = [reviewData.columns.map(csvCell).join(",")];
    var byId = {};
    var order = [];
    document.querySelectorAll("li.finding[data-goto]").forEach(function (card) {
      var cardId = card.getAttribute("data-goto");
      var info = reviewData.findings[cardId];
      var decision = decisions[cardId];
      if (!info || !decision || !decision.status) { return; }
      if (!(info.id in byId)) { order.push(info.id); }
      byId[info.id] = [info.id, decision.status, decision.reason, decision.by, decision.at,
        info.rule, info.unit, info.year, info.message];
    });
    order.forEach(function (id) { rows.push(byId[id].map(csvCell).join(",")); });
    return "\ufeff" + rows.join("\r\n") + "\r\n";
  }

  function renderDecision(card) {
    var decision = decisions[card.getAttribute("data-goto")];
    var status = decision && decision.status ? decision.status : "";
    card.setAttribute("data-review", status);
    card.querySelectorAll(".review-marks button[data-status]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-status") === status ? "true" : "false");
    });
    var state = card.querySelector(".review-state");
    state.textContent = status ? "已决定：" + status + (decision.reason ? "（" + decision.reason + "）" : "") +
      (decision.by ? " — " + decision.by : "") : "未决定";
    var count = document.getElementById("review-count");
    if (count) {
      count.textContent = "已标记 " + Object.keys(decisions).filter(function (k) { return decisions[k].status; }).length + " 条";
    }
  }

  function reviewerName() {
    var input = document.getElementById("review-by");
    return input ? input.value.trim() : "";
  }

  function setupReview() {
    var style = document.createElement("style");
    style.textContent =
      ".review-marks{margin-top:.4em;display:flex;flex-wrap:wrap;gap:.3em;align-items:center;font-size:.85em}" +
      ".review-marks button{cursor:pointer;border:1px solid #999;background:#fff;border-radius:3px;padding:0 .5em}" +
      ".review-marks button[aria-pressed=true]{background:#333;color:#fff}" +
      ".review-marks input{flex:1;min-width:8em}" +
      "li.finding[data-review='误报']{opacity:.6}" +
      "li.finding[data-review='误报'] .message{text-decoration:line-through}" +
      "li.finding[data-review='已复核']{border-left:4px solid #2a7}" +
      "li.finding[data-review='待跟进']{border-left:4px solid #a3a}" +
      "#review-bar{position:fixed;right:1em;bottom:1em;background:#fff;border:1px solid #888;padding:.5em;" +
      "z-index:10;box-shadow:0 1px 4px rgba(0,0,0,.3);font-size:.9em}";
    document.head.appendChild(style);
    var bar = document.createElement("div");
    bar.id = "review-bar";
    bar.innerHTML = '<label>复核人 <input id="review-by" size="8"></label> ' +
      '<button type="button" id="review-export">导出复核决定（CSV）</button> <span id="review-count"></span>';
    document.body.appendChild(bar);
    document.getElementById("review-export").addEventListener("click", function () {
      var blob = new Blob([reviewCsv()], { type: "text/csv;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "复核决定.csv";
      document.body.appendChild(link);
      link.click();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
    document.querySelectorAll("li.finding[data-goto]").forEach(function (card) {
      var cardId = card.getAttribute("data-goto");
      var info = reviewData.findings[cardId];
      if (!info) { return; }
      if (info.review) {
        decisions[cardId] = { status: info.review.status || "", reason: info.review.reason || "",
          by: info.review.by || "", at: info.review.at || "" };
      }
      var marks = document.createElement("div");
      marks.className = "review-marks";
      reviewData.statuses.forEach(function (status) {
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("data-status", status);
        button.textContent = status;
        marks.appendChild(button);
      });
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "review-clear";
      clear.textContent = "清除";
      marks.appendChild(clear);
      var reason = document.createElement("input");
      reason.type = "text";
      reason.className = "review-reason";
      reason.placeholder = "理由";
      reason.value = decisions[cardId] ? decisions[cardId].reason : "";
      marks.appendChild(reason);
      var state = document.createElement("span");
      state.className = "review-state";
      marks.appendChild(state);
      var id = document.createElement("code");
      id.className = "finding-id";
      id.textContent = info.id;
      marks.appendChild(id);
      // the card's own click and key handlers (go to the highlight) must not see these controls
      ["click", "keydown"].forEach(function (type) {
        marks.addEventListener(type, function (event) { event.stopPropagation(); });
      });
      marks.addEventListener("click", function (event) {
        var button = event.target.closest("button");
        if (!button) { return; }
        if (button.classList.contains("review-clear")) {
          delete decisions[cardId];
          reason.value = "";
        } else {
          decisions[cardId] = { status: button.getAttribute("data-status"), reason: reason.value.trim(),
            by: reviewerName(), at: nowText() };
        }
        renderDecision(card);
      });
      reason.addEventListener("input", function () {
        if (decisions[cardId]) { decisions[cardId].reason = reason.value.trim(); renderDecision(card); }
      });
      card.appendChild(marks);
      renderDecision(card);
    });
    window.auditorReviewCsv = reviewCsv;
  }

  if (reviewData && reviewData.findings) { setupReview(); }
})();
