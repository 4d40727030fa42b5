// opswiki serve: live reload and the error overlay.
// `opswiki serve` adds this script to the HTML pages it serves; it is never
// part of the output of `opswiki build`. It long-polls /__opswiki/poll: the
// server answers once a rebuild has finished writing something this page
// shows (reload, keeping the scroll position), a stylesheet (swapped in
// place), or the list of errors (the overlay is redrawn).
(function () {
  "use strict";
  var start = window.__opswikiLive || { version: 0, errors: [] };
  var server = start.server;
  var version = start.version || 0;
  var SCROLL_KEY = "opswiki-scroll";
  var hidden = false;
  var OVERLAY_CSS = [
    ":host { all: initial; }",
    ".box { position: fixed; z-index: 2147483647; left: 1rem; right: 1rem; bottom: 1rem;",
    "  max-height: 60vh; display: flex; flex-direction: column; background: #1e1e1e; color: #f3f3f3;",
    "  border: 2px solid #e5484d; border-radius: 8px; box-shadow: 0 8px 32px rgba(0,0,0,.45);",
    "  font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }",
    ".box.hidden { left: auto; max-height: none; }",
    ".box.hidden .list { display: none; }",
    ".bar { display: flex; gap: 1rem; align-items: center; justify-content: space-between;",
    "  padding: .5rem .75rem; background: #e5484d; color: #fff; }",
    ".title { font-weight: 700; }",
    ".toggle { font: inherit; color: inherit; background: rgba(0,0,0,.25); border: 0;",
    "  border-radius: 4px; padding: .15rem .6rem; cursor: pointer; }",
    ".list { overflow: auto; padding: .5rem .75rem; }",
    ".error + .error { border-top: 1px solid #444; margin-top: .5rem; padding-top: .5rem; }",
    ".where { color: #ffb4b4; }",
    ".text { margin: .25rem 0 0; white-space: pre-wrap; }",
  ].join("\n");

  restoreScroll();
  render(start);
  poll();

  function restoreScroll() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null");
      sessionStorage.removeItem(SCROLL_KEY);
    } catch (e) {
      return;
    }
    if (!saved || saved.path !== location.pathname) return;
    var go = function () { window.scrollTo(saved.x, saved.y); };
    go();
    // Images and fonts may still change the layout: once more when loaded.
    if (document.readyState !== "complete") window.addEventListener("load", go);
  }

  function reload() {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({
        path: location.pathname, x: window.scrollX, y: window.scrollY,
      }));
    } catch (e) { /* private mode: reload anyway */ }
    location.reload();
  }

  function swapStylesheets(tag) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.getAttribute("href"), location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("opswiki", tag);
      var fresh = link.cloneNode();
      fresh.setAttribute("href", url.pathname + url.search);
      // Keep the old sheet until the new one is in: no flash of no style.
      var done = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      fresh.addEventListener("load", done);
      fresh.addEventListener("error", done);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  function poll() {
    var url = "/__opswiki/poll?v=" + version + "&path=" + encodeURIComponent(location.pathname);
    fetch(url, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (answer) {
        var status = answer.status;
        if (server !== undefined && status.server !== server) return reload();
        if (answer.action === "reload") return reload();
        if (answer.action === "css") swapStylesheets(status.version);
        version = status.version;
        render(status);
        poll();
      }, function () {
        // The server is gone (stopped, restarting): try again shortly.
        setTimeout(poll, 1000);
      });
  }

  function render(status) {
    var errors = status.errors || [];
    var host = document.getElementById("opswiki-overlay");
    if (!errors.length) {
      if (host) host.parentNode.removeChild(host);
      return;
    }
    if (!host) {
      host = document.createElement("div");
      host.id = "opswiki-overlay";
      host.setAttribute("role", "alert");
      host.attachShadow({ mode: "open" });
      document.body.appendChild(host);
    }
    var root = host.shadowRoot;
    while (root.firstChild) root.removeChild(root.firstChild);
    var style = document.createElement("style");
    style.textContent = OVERLAY_CSS;
    root.appendChild(style);
    var box = el("section", hidden ? "box hidden" : "box");
    var bar = el("header", "bar");
    var title = el("strong", "title");
    title.textContent = "opswiki: " + errors.length + (errors.length === 1 ? " error" : " errors") +
      " — the site is showing the last version that built";
    var toggle = el("button", "toggle");
    toggle.type = "button";
    toggle.textContent = hidden ? "Show" : "Hide";
    toggle.addEventListener("click", function () { hidden = !hidden; render(status); });
    bar.appendChild(title);
    bar.appendChild(toggle);
    box.appendChild(bar);
    var list = el("div", "list");
    errors.forEach(function (error) {
      var item = el("article", "error");
      var where = el("div", "where");
      where.textContent = error.file + ":" + error.line + ":" + error.column + "  " + error.code;
      var text = el("pre", "text");
      // Text, never HTML: the diagnostic quotes the author's source.
      text.textContent = error.text;
      item.appendChild(where);
      item.appendChild(text);
      list.appendChild(item);
    });
    box.appendChild(list);
    root.appendChild(box);
  }

  function el(tag, className) {
    var node = document.createElement(tag);
    node.className = className;
    return node;
  }
})();
