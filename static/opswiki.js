// opswiki: the site's own small script. No framework, no network.
(function () {
  "use strict";
  // Say something to a screen reader without moving the focus: the page's
  // polite live region (base.html), emptied first so a repeat is announced.
  var liveRegion = document.getElementById("announce");
  function announce(text) {
    if (!liveRegion) return;
    liveRegion.textContent = "";
    setTimeout(function () { liveRegion.textContent = text; }, 50);
  }
  window.OpswikiAnnounce = announce;

  // The theme button: auto (the system's prefers-color-scheme), dark, light,
  // kept in this browser. base.html's head applies the choice before the
  // page is drawn; style.css has each dark rule for both ways.
  var themeButton = document.querySelector(".theme-toggle");
  if (themeButton) {
    var THEMES = ["auto", "dark", "light"];
    var current = document.documentElement.getAttribute("data-theme") || "auto";
    var showTheme = function () {
      themeButton.innerHTML = '<span class="theme-word">Theme: </span>';
      themeButton.appendChild(document.createTextNode(current));
      themeButton.title = "Colours: " + (current === "auto" ? "as the system is set" : current) + ". Click for " + THEMES[(THEMES.indexOf(current) + 1) % THEMES.length] + ".";
    };
    themeButton.hidden = false;
    showTheme();
    themeButton.addEventListener("click", function () {
      current = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
      if (current === "auto") document.documentElement.removeAttribute("data-theme");
      else document.documentElement.setAttribute("data-theme", current);
      try {
        if (current === "auto") localStorage.removeItem("opswiki:theme");
        else localStorage.setItem("opswiki:theme", current);
      } catch (e) { /* storage refused: the choice lasts for this page */ }
      showTheme();
      announce("Theme: " + current);
    });
  }

  // On a phone the sections fold behind a Menu button (style.css shows it
  // only on narrow screens, and only when this script runs).
  var navToggle = document.querySelector(".nav-toggle");
  var topbar = document.querySelector(".topbar");
  function setNav(open) {
    navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    topbar.classList.toggle("nav-open", open);
  }
  if (navToggle && topbar) {
    navToggle.addEventListener("click", function () { setNav(navToggle.getAttribute("aria-expanded") !== "true"); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && navToggle.getAttribute("aria-expanded") === "true") {
        setNav(false);
        navToggle.focus();
      }
    });
  }

  // The commands of a shell block, each with the line it starts on. With
  // `$ ` (or `PS> `) prompts only the prompted lines are commands (the rest
  // is output) and the prompt is stripped; without, every line that is not
  // blank or a comment is one. A line ending in `\` goes on to the next, and
  // a here-document runs to its delimiter.
  var PROMPT = /^\s*(?:\$|PS[^>\n]*>)\s?/;
  function commandsOf(text) {
    var lines = text.replace(/\n+$/, "").split("\n");
    var prompted = lines.some(function (l) { return PROMPT.test(l) && /\S/.test(l.replace(PROMPT, "")); });
    var commands = [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (prompted) {
        if (!PROMPT.test(line)) continue;
        line = line.replace(PROMPT, "");
      }
      if (!line.trim() || /^\s*#/.test(line)) continue;
      var start = i, parts = [line];
      var heredoc = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(line);
      while (i + 1 < lines.length && /\\$/.test(parts[parts.length - 1])) parts.push(lines[++i].replace(prompted ? /^\s*>\s?/ : /^$/, ""));
      if (heredoc) {
        while (i + 1 < lines.length) {
          parts.push(lines[++i]);
          if (lines[i].trim() === heredoc[2]) break;
        }
      }
      commands.push({ line: start, text: parts.join("\n").replace(/\s+$/, "") });
    }
    return { commands: commands, prompted: prompted };
  }
  var COPY_ICON = '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false"><rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3 11V3.5C3 2.7 3.7 2 4.5 2H11" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>';
  // One small button per command, in a gutter left of the code, beside the
  // command's first line (the gutter does not scroll with long lines).
  function addCommandButtons(block) {
    var pre = block.querySelector("pre");
    var code = pre && pre.querySelector("code");
    if (!code) return;
    var found = commandsOf(code.textContent);
    block._commands = found;
    if (found.commands.length < 2 && !found.prompted) return;
    block.classList.add("per-command");
    var buttons = found.commands.map(function (command) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-command";
      var first = command.text.split("\n")[0];
      var name = first.length > 60 ? first.slice(0, 57) + "…" : first;
      button.setAttribute("aria-label", "Copy command: " + name);
      button.title = "Copy this command";
      button.innerHTML = COPY_ICON;
      button._command = command.text;
      block.insertBefore(button, pre);
      return { button: button, line: command.line };
    });
    function place() {
      var style = getComputedStyle(pre);
      var lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
      var top = pre.offsetTop + pre.clientTop + parseFloat(style.paddingTop);
      buttons.forEach(function (b) {
        b.button.style.top = (top + b.line * lineHeight) + "px";
        b.button.style.height = lineHeight + "px";
      });
    }
    place();
    window.addEventListener("resize", place);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".code-block.shell"), addCommandButtons);

  function flash(button, label) {
    button.classList.add("copied");
    if (button.classList.contains("copy")) button.textContent = "Copied";
    announce(label);
    clearTimeout(button._flash);
    button._flash = setTimeout(function () {
      button.classList.remove("copied");
      if (button.classList.contains("copy")) button.textContent = button._label;
    }, 1500);
  }
  // Copy buttons: "Copy all" of a shell block copies its commands (without
  // prompts or output where it has prompts); a command's own button copies
  // exactly that command; a text block's button copies its text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy, button.copy-command") : null;
    if (!button) return;
    if (button.classList.contains("copy-command")) {
      copyText(button._command, function () { flash(button, "Copied the command"); });
      return;
    }
    var block = button.parentNode;
    var code = block.querySelector("code");
    if (!code) return;
    if (button._label === undefined) button._label = button.textContent;
    var found = block._commands;
    var text = found && found.prompted
      ? found.commands.map(function (c) { return c.text; }).join("\n") + "\n"
      : code.innerText;
    copyText(text, function () { flash(button, block.classList.contains("shell") ? "Copied all commands" : "Copied"); });
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
        // aria-sort belongs on the column header, not on the button inside it.
        var header = button.closest("th");
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(buttons, function (b) { b.closest("th").removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        announce("Sorted by " + button.textContent + ", " + (ascending ? "ascending" : "descending"));
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
  // Checklists to tick during a release: each box's state is kept in this
  // browser (localStorage, per page) until the Reset button puts back the
  // state written in the source. Where storage is refused the boxes still tick.
  function setupChecklist() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".markdown input.task"));
    var count = document.querySelector("[data-checklist]");
    if (!boxes.length) return;
    var key = "opswiki:checklist:" + location.pathname;
    var store = null;
    try { store = window.localStorage; store.getItem(key); } catch (e) { store = null; }
    function save() {
      if (!store) return;
      try { store.setItem(key, JSON.stringify(boxes.map(function (b) { return b.checked; }))); } catch (e) { /* full or refused */ }
    }
    function update() {
      var done = boxes.filter(function (b) { return b.checked; }).length;
      var strong = count && count.querySelector("strong");
      if (strong) strong.textContent = done + "/" + boxes.length;
    }
    var saved = null;
    try { saved = store && JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (Array.isArray(saved) && saved.length === boxes.length) {
      boxes.forEach(function (b, i) { b.checked = saved[i] === true; });
    }
    boxes.forEach(function (b) { b.addEventListener("change", function () { save(); update(); }); });
    if (count) {
      var reset = document.createElement("button");
      reset.type = "button";
      reset.className = "checklist-reset";
      reset.textContent = "Reset checklist";
      reset.addEventListener("click", function () {
        boxes.forEach(function (b) { b.checked = b.defaultChecked; });
        if (store) { try { store.removeItem(key); } catch (e) { /* refused */ } }
        update();
        announce("Checklist reset");
      });
      count.appendChild(document.createTextNode(" "));
      count.appendChild(reset);
    }
    update();
  }
  setupChecklist();
  // A folded call-out (MkDocs `???`, Hugo `details`) prints folded: its text would be lost on
  // paper. Unfold them for printing and fold back the ones the reader had not opened.
  var unfolded = [];
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.callout:not([open])"), function (d) {
      d.open = true;
      unfolded.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    unfolded.splice(0).forEach(function (d) { d.open = false; });
  });
  // A part of a split catalogue opened at a name it does not hold (an alarm
  // renamed or removed since the pager link was sent): say so, and offer
  // the search over every alarm.
  var missing = document.querySelector(".missing-alarm");
  if (missing && location.hash.length > 1) {
    var wanted = location.hash.slice(1);
    try { wanted = decodeURIComponent(wanted); } catch (e) { /* keep it as written */ }
    if (!document.getElementById(wanted)) {
      missing.textContent = "No alarm named ";
      var code = document.createElement("code");
      code.textContent = wanted;
      missing.appendChild(code);
      missing.appendChild(document.createTextNode(" in this part of the catalogue. "));
      var link = document.createElement("a");
      link.href = "../search.html?kind=alarm&q=" + encodeURIComponent(wanted);
      link.textContent = "Search every alarm for it";
      missing.appendChild(link);
      missing.hidden = false;
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-table]"), setupFilters);
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setupSort);
})();
