// opswiki: the site's own small script. No framework, no network.
(function () {
  "use strict";
  // Copy buttons on shell blocks: copy the commands, say so briefly.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) return;
    var code = button.parentNode.querySelector("code");
    if (!code) return;
    copyText(code.innerText, function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
    });
  });
  // Copy `text`, then call `done`. Shared with triage.js (tree links).
  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }
  window.OpswikiCopy = copyText;
  // file:// pages are not a secure context: fall back to a hidden textarea.
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    document.body.removeChild(area);
  }
  // Alarm catalogue: filter rows by severity, service and text; sort by column.
  // Each alarm is a <tbody> (a name repeated at several severities stays together).
  function setupFilters(form) {
    var table = document.getElementById(form.getAttribute("data-filter-table"));
    if (!table) return;
    var groups = Array.prototype.slice.call(table.tBodies);
    var count = form.querySelector(".filter-count");
    var params = new URLSearchParams(location.search);
    ["severity", "service", "q"].forEach(function (name) {
      var field = form.elements[name];
      if (field && params.get(name)) field.value = params.get(name);
    });
    function apply() {
      var sev = form.elements.severity ? form.elements.severity.value : "";
      var svc = form.elements.service ? form.elements.service.value : "";
      var text = form.elements.q ? form.elements.q.value.trim().toLowerCase() : "";
      var shown = 0;
      groups.forEach(function (group) {
        var ok = (!sev || (" " + group.dataset.severity + " ").indexOf(" " + sev + " ") >= 0) &&
          (!svc || (" " + group.dataset.service + " ").indexOf(" " + svc + " ") >= 0) &&
          (!text || group.textContent.toLowerCase().indexOf(text) >= 0);
        group.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = shown + " of " + groups.length + " alarm names";
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    apply();
  }
  function setupSort(table) {
    var buttons = table.querySelectorAll("button.sort");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-sort");
        var ascending = button.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(buttons, function (b) { b.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var groups = Array.prototype.slice.call(table.tBodies);
        groups.sort(function (a, b) {
          var x = a.dataset[key] || "", y = b.dataset[key] || "";
          var c = x < y ? -1 : x > y ? 1 : 0;
          if (c === 0) c = a.dataset.name < b.dataset.name ? -1 : 1;
          return ascending ? c : -c;
        });
        groups.forEach(function (g) { table.appendChild(g); });
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-table]"), setupFilters);
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setupSort);
})();
