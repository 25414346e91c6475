// 海原政务小助手 staff console: small progressive enhancements (every form also works without JavaScript).
(function () {
  "use strict";

  // Entity spans: click jieba tokens to select a range, pick an entity, press 添加 → "起-止:实体" in #spans.
  var tokens = Array.prototype.slice.call(document.querySelectorAll(".token[data-index]"));
  var addButton = document.getElementById("add-span");
  var spansField = document.getElementById("spans");
  var entityField = document.getElementById("span-entity");
  var anchor = null;
  function clearSelection() { tokens.forEach(function (t) { t.classList.remove("selected"); }); }
  tokens.forEach(function (token) {
    token.addEventListener("click", function () {
      var index = Number(token.dataset.index);
      if (anchor === null || token.classList.contains("selected")) {
        clearSelection(); anchor = index; token.classList.add("selected"); return;
      }
      var first = Math.min(anchor, index), last = Math.max(anchor, index);
      tokens.forEach(function (t) { var i = Number(t.dataset.index); t.classList.toggle("selected", i >= first && i <= last); });
    });
  });
  if (addButton && spansField && entityField) {
    addButton.addEventListener("click", function () {
      var chosen = tokens.filter(function (t) { return t.classList.contains("selected"); })
                         .map(function (t) { return Number(t.dataset.index); });
      if (!chosen.length || !entityField.value) { return; }
      var span = Math.min.apply(null, chosen) + "-" + Math.max.apply(null, chosen) + ":" + entityField.value;
      spansField.value = spansField.value.trim() ? spansField.value.trim() + ", " + span : span;
      clearSelection(); anchor = null;
    });
  }

  // Ask before irreversible actions (buttons with data-confirm).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Report page: the 打印 button.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // 人工接待 (the live handoff): keep the queue and the chat live by polling; every poll also tells the
  // backend this staff member is still on the page. Text is only ever set through textContent.
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        var json = (response.headers.get("content-type") || "").indexOf("application/json") >= 0;
        if (!json) { throw new Error("logged out"); }  // the login page after a session expired
        return response.json();
      });
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function repeat(work, seconds) {
    var stopped = false;
    function next() {
      if (stopped) { return; }
      work().then(function (keep) { if (keep === false) { stopped = true; } else { window.setTimeout(next, seconds * 1000); } },
                  function () { window.setTimeout(next, seconds * 4000); });
    }
    window.setTimeout(next, seconds * 1000);
    return { now: function () { work(); } };
  }

  var queue = document.querySelector("#handoff-queue[data-poll]");
  var presenceCsrf = document.querySelector("#handoff-presence input[name=csrf_token]");
  var baseTitle = document.title;
  if (queue && presenceCsrf) {
    repeat(function () {
      return getJson(queue.dataset.poll).then(function (data) {
        var body = queue.querySelector("tbody");
        document.title = (data.queue.length ? "(" + data.queue.length + ") " : "") + baseTitle;
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-request]"));
        var same = rows.length === data.queue.length && rows.every(function (row, i) {
          return Number(row.dataset.request) === data.queue[i].id;
        });
        if (same) {  // the same citizens: only the waiting times change (keeps keyboard focus on 接入)
          rows.forEach(function (row, i) {
            var waited = data.queue[i].waiting_seconds;
            row.cells[1].textContent = Math.floor(waited / 60) + " 分 " + (waited % 60) + " 秒";
          });
          return;
        }
        body.textContent = "";
        data.queue.forEach(function (item) {
          var row = element("tr");
          row.dataset.request = item.id;
          var waited = Math.floor(item.waiting_seconds / 60) + " 分 " + (item.waiting_seconds % 60) + " 秒";
          [[item.position, "num"], [waited], [item.channel], [item.reason]].forEach(function (cell) {
            row.appendChild(element("td", cell[1] || "", String(cell[0])));
          });
          var elderly = element("td");
          elderly.appendChild(item.elderly ? element("span", "badge warn", "长辈模式") : document.createTextNode("—"));
          row.appendChild(elderly);
          var form = element("form", "inline");
          form.method = "post";
          form.action = "/console/handoff/" + item.id + "/accept";
          var csrf = presenceCsrf.cloneNode();
          form.appendChild(csrf);
          form.appendChild(element("button", "primary", "接入"));
          var cell = element("td");
          cell.appendChild(form);
          row.appendChild(cell);
          body.appendChild(row);
        });
        if (!data.queue.length) {
          var empty = element("tr", "empty");
          var td = element("td", "", "现在没有市民排队。");
          td.colSpan = 6;
          empty.appendChild(td);
          body.appendChild(empty);
        }
      });
    }, 3);
  }

  var transcript = document.getElementById("handoff-log");
  if (transcript) { transcript.scrollTop = transcript.scrollHeight; }  // the newest messages first in view
  var log = document.querySelector("#handoff-log[data-live]");
  if (log) {
    var status = document.getElementById("handoff-status");
    var replyForm = document.getElementById("handoff-reply");
    var poller = repeat(function () {
      var url = log.dataset.feed + "?t=" + encodeURIComponent(log.dataset.t) + "&h=" + encodeURIComponent(log.dataset.h);
      return getJson(url).then(function (data) {
        data.lines.forEach(function (line) {
          if (log.querySelector('[data-cursor="' + line.cursor + '"]')) { return; }
          var item = element("li", line.kind);
          item.dataset.cursor = line.cursor;
          if (line.who) { item.appendChild(element("span", "meta", line.who)); }
          item.appendChild(document.createTextNode(line.text));
          item.appendChild(element("span", "meta", line.at));
          log.appendChild(item);
          log.scrollTop = log.scrollHeight;
        });
        log.dataset.t = data.tracker_cursor;
        log.dataset.h = data.event_cursor;
        var tickets = document.getElementById("handoff-tickets");
        if (data.phone && tickets && !tickets.querySelector("ul, .phone-given")) {  // earlier tickets: after a reload
          var hint = element("p", "flash ok phone-given", "市民刚在对话里留了电话。");
          var again = element("a", "", "刷新页面");
          again.href = window.location.pathname;
          hint.appendChild(again);
          hint.appendChild(document.createTextNode("后显示以前的工单。"));
          tickets.appendChild(hint);
        }
        if (status) { status.textContent = data.status_label; }
        if (!data.can_act) {  // handed back, closed or ended by the citizen: show the final page
          if (replyForm) { window.location.reload(); }
          return data.status === "queued" || data.status === "connected";
        }
        return true;
      });
    }, 2);
    if (replyForm) {
      var field = replyForm.querySelector("textarea");
      var state = document.getElementById("handoff-reply-state");
      replyForm.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!field.value.trim()) { return; }
        state.textContent = "正在发送…";
        fetch(replyForm.action, { method: "POST", body: new FormData(replyForm), credentials: "same-origin",
                                  headers: { Accept: "application/json" } })
          .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
          .then(function (result) {
            if (result[0]) { field.value = ""; state.textContent = "已发送"; poller.now(); }
            else { state.textContent = result[1].error || "发送失败，请重试"; }
          }, function () { state.textContent = "发送失败，请检查网络后重试"; });
      });
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          replyForm.requestSubmit ? replyForm.requestSubmit() : replyForm.dispatchEvent(new Event("submit", { cancelable: true }));
        }
      });
    }
  }

  // Training page: reload while a job runs (the page also has a plain 刷新 link).
  var refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) {
    window.setTimeout(function () { window.location.reload(); }, Number(refresh.dataset.refreshSeconds) * 1000);
  }
})();
