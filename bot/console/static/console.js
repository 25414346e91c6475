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

  // Training page: reload while a job runs (the page also has a plain 刷新 link).
  var refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) {
    window.setTimeout(function () { window.location.reload(); }, Number(refresh.dataset.refreshSeconds) * 1000);
  }
})();
