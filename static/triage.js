// opswiki triage walk-through. One check at a time, answers as buttons, the
// answers so far, Back and Restart. The state lives in the URL fragment,
//   #t=<tree>&p=<answer>.<answer>...   (answer indices from 0, from the start)
// so a link to "this point of the triage" can be pasted into an incident
// channel and opens there. Without JavaScript the page shows the same tree
// as a nested list; this script hides it and shows the walk-through instead.
// No framework, no network; works from file://.
(function () {
  "use strict";

  var walks = [];

  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i <= 0) return;
      try {
        out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
      } catch (e) { /* a malformed escape: ignore that part */ }
    });
    return out;
  }

  function parsePath(text) {
    if (!text) return [];
    var path = [];
    var parts = text.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (!/^\d+$/.test(parts[i])) break;
      path.push(parseInt(parts[i], 10));
    }
    return path;
  }

  function hashFor(id, path) {
    return "#t=" + encodeURIComponent(id) + (path.length ? "&p=" + path.join(".") : "");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function Walk(section) {
    this.section = section;
    this.data = JSON.parse(section.querySelector("script.triage-data").textContent);
    this.id = this.data.id;
    this.box = section.querySelector(".triage-walk");
    this.path = [];
    this.focusNext = false;
    var self = this;
    this.box.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("button") : null;
      if (!target || !self.box.contains(target)) return;
      if (target.hasAttribute("data-option")) {
        self.go(self.path.concat([parseInt(target.getAttribute("data-option"), 10)]));
      } else if (target.hasAttribute("data-depth")) {
        self.go(self.path.slice(0, parseInt(target.getAttribute("data-depth"), 10)));
      } else if (target.classList.contains("triage-back")) {
        self.go(self.path.slice(0, -1));
      } else if (target.classList.contains("triage-restart")) {
        self.go([]);
      } else if (target.classList.contains("triage-copy")) {
        copyLink(target, location.href.split("#")[0] + hashFor(self.id, self.path));
      }
    });
  }

  // Follow `path` from the start; keep its longest valid beginning.
  Walk.prototype.replay = function (path) {
    var nodes = this.data.nodes;
    var state = { steps: [], node: this.data.start, end: null, path: [] };
    for (var k = 0; k < path.length && state.node != null && !state.end; k++) {
      var option = nodes[state.node] && nodes[state.node].options[path[k]];
      if (!option || !("next" in option || "runbook" in option || "escalate" in option)) break;
      state.steps.push({ node: state.node, option: option });
      state.path.push(path[k]);
      if (typeof option.next === "number") state.node = option.next;
      else state.end = option;
    }
    return state;
  };

  // Move to `path`: through the fragment, so Back in the browser works too.
  Walk.prototype.go = function (path) {
    var hash = hashFor(this.id, path);
    this.focusNext = true;
    if (location.hash === hash) {
      this.show(path);
    } else {
      location.hash = hash;
    }
  };

  Walk.prototype.show = function (path) {
    var state = this.replay(path);
    var data = this.data;
    this.path = state.path;
    var box = this.box;
    box.textContent = "";

    if (state.steps.length) {
      var trail = el("ol", "triage-trail");
      trail.setAttribute("aria-label", "Your answers so far");
      state.steps.forEach(function (step, depth) {
        var item = el("li");
        var back = el("button", "triage-trail-step");
        back.type = "button";
        back.setAttribute("data-depth", String(depth));
        back.title = "Go back to this check";
        back.appendChild(el("span", "triage-trail-check", data.nodes[step.node].check));
        back.appendChild(el("span", "triage-trail-answer", step.option.answer));
        item.appendChild(back);
        trail.appendChild(item);
      });
      box.appendChild(trail);
    }

    var focus = null;
    if (state.end) {
      var end = state.end;
      if (end.runbook) {
        var done = el("div", "triage-end triage-end-runbook");
        done.appendChild(el("p", "triage-end-label", "Follow the runbook"));
        var link;
        if (end.runbook.href) {
          link = el("a", "triage-runbook", end.runbook.title);
          link.href = end.runbook.href;
        } else {
          link = el("p", "triage-runbook", end.runbook.title);
          link.tabIndex = -1;
        }
        done.appendChild(link);
        box.appendChild(done);
        focus = link;
      } else {
        var escalate = el("div", "triage-end triage-end-escalate");
        escalate.appendChild(el("p", "triage-end-label", "Escalate"));
        var text = el("p", "triage-escalate-text", end.escalate || "Escalate");
        text.tabIndex = -1;
        escalate.appendChild(text);
        box.appendChild(escalate);
        focus = text;
      }
    } else if (state.node != null && data.nodes[state.node]) {
      var node = data.nodes[state.node];
      var step = el("div", "triage-step");
      step.appendChild(el("p", "triage-step-label", "Check " + (node.number || state.steps.length + 1)));
      var check = el("p", "triage-check", node.check);
      check.tabIndex = -1;
      step.appendChild(check);
      var answers = el("div", "triage-answers");
      answers.setAttribute("role", "group");
      answers.setAttribute("aria-label", "Answers");
      node.options.forEach(function (option, i) {
        var button = el("button", "triage-answer", option.answer);
        button.type = "button";
        button.setAttribute("data-option", String(i));
        if (!("next" in option || "runbook" in option || "escalate" in option)) button.disabled = true;
        answers.appendChild(button);
      });
      step.appendChild(answers);
      box.appendChild(step);
      focus = check;
    }

    var controls = el("div", "triage-controls");
    var backButton = el("button", "triage-back", "← Back");
    backButton.type = "button";
    backButton.disabled = state.steps.length === 0;
    var restart = el("button", "triage-restart", "Restart");
    restart.type = "button";
    restart.disabled = state.steps.length === 0;
    var permalink = el("a", "triage-permalink", "Link to this step");
    permalink.href = hashFor(this.id, this.path);
    var copy = el("button", "triage-copy", "Copy link");
    copy.type = "button";
    controls.appendChild(backButton);
    controls.appendChild(restart);
    controls.appendChild(permalink);
    controls.appendChild(copy);
    box.appendChild(controls);

    this.section.setAttribute("data-path", this.path.join("."));
    if (this.focusNext && focus) focus.focus({ preventScroll: false });
    this.focusNext = false;
  };

  function copyLink(button, url) {
    // The copying itself is opswiki.js's, which every page loads.
    if (!window.OpswikiCopy) return;
    window.OpswikiCopy(url, function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy link"; }, 1500);
    });
  }

  function start() {
    var sections = document.querySelectorAll("section.triage[data-tree]");
    var hash = readHash();
    for (var i = 0; i < sections.length; i++) {
      var walk;
      try {
        walk = new Walk(sections[i]);
      } catch (e) {
        continue; // unreadable data: the list stays
      }
      walks.push(walk);
      sections[i].classList.add("triage-js");
      walk.box.hidden = false;
      var here = hash.t === walk.id;
      walk.show(here ? parsePath(hash.p) : []);
      if (here) sections[i].scrollIntoView({ block: "start" });
    }
  }

  window.addEventListener("hashchange", function () {
    var hash = readHash();
    walks.forEach(function (walk) {
      if (hash.t === walk.id) walk.show(parsePath(hash.p));
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
