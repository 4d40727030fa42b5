// opswiki search. The index lives in search/ as small script files that call
// OpswikiSearch.* when loaded, so it works from file:// and any server path;
// a query loads only the shards of its words and the snippets it shows.
// The tokenizer mirrors src/search/tokenize.rs. No framework, no network.
(function () {
  "use strict";
  var S = (window.OpswikiSearch = window.OpswikiSearch || {});
  if (S.ready) return; // loaded twice (header and results page)
  S.ready = true;
  var me = document.currentScript;
  var BASE = me ? me.src.replace(/static\/search\.js(?:[?#].*)?$/, "") : "";
  var ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var a = 0; a < 64; a++) DIGIT[ALPHA.charCodeAt(a)] = a;
  // Field classes (src/search/index.rs): body x1, x2, x3+, heading, meta
  // (owner, services, tags, alarm details), long title, short title, alarm name.
  var WEIGHTS = [10, 12, 14, 30, 28, 48, 50, 100];
  var PREFIX = 0.8, TYPO = 0.6, VIA_PAGE = 0.5, SEC = 4096;
  // How many of the best results a phrase query reads to find the phrase.
  var PHRASE_CHECKED = 16;
  // Characters of a snippet, cut from the section's text around the match.
  var SNIPPET = 200;
  // While typing, files not loaded yet wait for a pause this long (ms);
  // results from what is loaded show at once.
  var DEBOUNCE = 160;

  var manifest = null, keys = null, keySet = null, stop = null;
  var shards = {}, sorted = {}, docs = {}, overflow = {}, sets = {}, decoded = {}, pending = {};
  S.m = function (m) { manifest = m; };
  S.s = function (key, terms) { shards[key] = terms; };
  S.d = function (id, doc) { docs[id] = doc; };
  S.x = function (id, list) { overflow[id] = list; };
  S.f = function (i, set) { sets[i] = set; };
  S.timings = [];
  S.load = function () { return ready(); };

  function load(path) {
    if (pending[path]) return pending[path];
    var v = manifest && location.protocol !== "file:" ? "?v=" + manifest.v : "";
    pending[path] = new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = BASE + path + v;
      el.onload = function () { el.remove(); resolve(); };
      el.onerror = function () { el.remove(); delete pending[path]; reject(new Error("cannot load " + el.src)); };
      document.head.appendChild(el);
    });
    return pending[path];
  }
  function ready() {
    return load("search/index.js").then(function () {
      if (!keys) {
        if (!manifest) throw new Error("the search index is missing: rebuild the site");
        keys = manifest.keys.slice().sort();
        keySet = new Set(keys);
        stop = new Set(manifest.stop);
      }
    });
  }
  function loadAll(paths) { return Promise.all(paths.map(load)); }
  // Load what is not loaded yet once `gate` allows (typing has paused).
  function fetchAll(paths, gate) {
    var missing = paths.some(function (p) { return !pending[p]; });
    return missing && gate ? gate().then(function () { return loadAll(paths); }) : loadAll(paths);
  }
  var SUPERSEDED = {};
  // A gate that opens after `ms` if no newer query (by `seq()`) came since.
  function debounce(ms, seq) {
    return function (mine) {
      return function () {
        return new Promise(function (ok, no) {
          setTimeout(function () { if (mine === seq()) ok(); else no(SUPERSEDED); }, ms);
        });
      };
    };
  }

  // ---- Tokenising (the rules of src/search/tokenize.rs) ----
  var RUN = /[\p{Alphabetic}\p{N}_.\/-]+/gu;
  var up = function (c) { return c >= "A" && c <= "Z"; };
  var lo = function (c) { return c >= "a" && c <= "z"; };
  var dig = function (c) { return c >= "0" && c <= "9"; };
  var len = function (s) { return Array.from(s).length; };
  function trimRun(r) {
    r = r.replace(/^[-_.]+/, "");
    if (r.slice(0, 2) === "//") r = r.replace(/^[-_.\/]+/, "");
    return r.replace(/[-_.\/]+$/, "");
  }
  function partsOf(run) {
    var out = [];
    run.split(/[-_.\/]+/).forEach(function (seg) {
      if (!seg) return;
      var start = 0;
      for (var i = 1; i < seg.length; i++) {
        var p = seg[i - 1], c = seg[i], n = seg[i + 1];
        if (up(c) && (lo(p) || dig(p) || (up(p) && n !== undefined && lo(n)))) {
          out.push(seg.slice(start, i));
          start = i;
        }
      }
      out.push(seg.slice(start));
    });
    return out;
  }
  function stem(w) {
    if (!/^[a-z]{4,}$/.test(w)) return w;
    if (w.length > 4 && /ies$/.test(w)) return w.slice(0, -3) + "y";
    if (/s$/.test(w) && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
    return w;
  }
  function word(raw) {
    var l = raw.toLowerCase(), n = len(l);
    if (n < 2 || n > 40 || (stop || STOP).has(l)) return null;
    return stem(l);
  }
  var STOP = new Set();
  // Runs of a text: {whole (lower-case), parts (normalised words), raw}.
  function runs(text) {
    var out = [], m;
    RUN.lastIndex = 0;
    while ((m = RUN.exec(text))) {
      var run = trimRun(m[0]);
      if (run) out.push({ raw: run, whole: run.toLowerCase(), parts: partsOf(run), end: m.index + m[0].length });
    }
    return out;
  }
  function pathTails(whole) {
    var out = [];
    for (var j = 1; j < whole.length; j++) {
      if (whole[j] === "/" && whole.slice(j + 1).indexOf("/") >= 0) out.push(whole.slice(j));
    }
    return out;
  }
  // The indexed tokens of a text, as src/search/tokenize.rs emits them.
  S.tokenize = function (text) {
    var out = [];
    runs(text).forEach(function (r) {
      if (r.parts.length === 1) {
        var w = word(r.parts[0]);
        if (w) out.push(w);
        return;
      }
      var n = len(r.whole);
      if (n >= 2 && n <= 64) {
        out.push(r.whole);
        // Its path tails, as src/search/tokenize.rs: `8080/health/ready` is found as `/health/ready`.
        pathTails(r.whole).forEach(function (t) { out.push(t); });
      }
      r.parts.forEach(function (p) { var w = word(p); if (w) out.push(w); });
    });
    return out;
  };

  // ---- The index ----
  function keyOf(term) {
    var cps = Array.from(term);
    for (var n = cps.length; n >= 0; n--) {
      var k = cps.slice(0, n).join("");
      if (keySet.has(k)) return k;
    }
    return null;
  }
  function shardPath(key) {
    if (key === "") return "search/s/_.js";
    var out = "";
    Array.from(key).forEach(function (c) {
      if (/[a-z0-9]/.test(c)) out += c;
      else new TextEncoder().encode(c).forEach(function (b) { out += "_" + (b < 16 ? "0" : "") + b.toString(16); });
    });
    return "search/s/" + out + ".js";
  }
  // Keys of the shards holding terms that start with `prefix`.
  function prefixKeys(prefix) {
    var own = keyOf(prefix), out = own === null ? [] : [own];
    var lo_ = 0, hi = keys.length;
    while (lo_ < hi) { var mid = (lo_ + hi) >> 1; if (keys[mid] < prefix) lo_ = mid + 1; else hi = mid; }
    var children = [];
    for (var i = lo_; i < keys.length && keys[i].slice(0, prefix.length) === prefix; i++) {
      if (keys[i] !== own) children.push(keys[i]);
    }
    // A short prefix of many shards: wait for more letters.
    return children.length <= 3 ? out.concat(children) : out;
  }
  function withinOne(a, b) {
    if (a === b) return true;
    var la = a.length, lb = b.length, i = 0;
    if (Math.abs(la - lb) > 1) return false;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }
  // Whether `a` and `b` are at most `max` edits apart (insert, delete,
  // replace, swap of neighbours): a banded Damerau-Levenshtein.
  function withinEdits(a, b, max) {
    if (max <= 1) return withinOne(a, b);
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > max) return false;
    var prev2 = null, prev = [], cur;
    for (var j = 0; j <= lb; j++) prev.push(j);
    for (var i = 1; i <= la; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= lb; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return false;
      prev2 = prev;
      prev = cur;
    }
    return prev[lb] <= max;
  }
  // Typos forgiven in a word: one from five letters, two from eight.
  function typosFor(w) { var n = len(w); return n >= 8 ? 2 : n >= 5 ? 1 : 0; }
  // Keys of the shards that may hold a word within its typos of `w` (same first letter).
  function typoKeys(w) {
    var max = typosFor(w);
    return keys.filter(function (k) {
      if (k === "") return true;
      if (k[0] !== w[0]) return false;
      for (var n = k.length - max; n <= k.length + max; n++) if (n > 0 && withinEdits(k, w.slice(0, n), max)) return true;
      return false;
    }).slice(-10);
  }
  function termsOf(key) {
    if (!sorted[key]) sorted[key] = Object.keys(shards[key] || {}).sort();
    return sorted[key];
  }
  // A term's entry: {list, more (overflow id, if only the best are here)}.
  function entry(term) {
    var key = keyOf(term);
    var v = key === null || !shards[key] ? undefined : shards[key][term];
    if (v === undefined) return null;
    return typeof v === "string" ? { term: term, list: v } : { term: term, list: v[0], more: v[1], total: v[2] };
  }
  // Postings as [page * SEC + section, class, ...].
  function postings(e) {
    var text = e.more && overflow[e.more] !== undefined ? overflow[e.more] : e.list;
    var id = e.term + (text === e.list ? "" : "+");
    if (decoded[id]) return decoded[id];
    var out = [], value = 0, shift = 0, page = 0, first = true;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charCodeAt(i)];
      value += (d & 31) * Math.pow(2, shift);
      if (d & 32) { shift += 5; continue; }
      if (first) page += value;
      else out.push(page * SEC + Math.min(Math.floor(value / 8), SEC - 1), value % 8);
      first = !first;
      value = 0;
      shift = 0;
    }
    return (decoded[id] = out);
  }
  function pageSet(text) {
    if (text[0] === "l") {
      var set = new Set(), value = 0, shift = 0, page = 0;
      for (var i = 1; i < text.length; i++) {
        var d = DIGIT[text.charCodeAt(i)];
        value += (d & 31) * Math.pow(2, shift);
        if (d & 32) { shift += 5; continue; }
        page += value;
        set.add(page);
        value = 0;
        shift = 0;
      }
      return { has: function (p) { return set.has(p); } };
    }
    return { has: function (p) { var c = text.charCodeAt(1 + Math.floor(p / 6)); return c > 0 && (DIGIT[c] >> (p % 6)) & 1; } };
  }

  // ---- Queries ----
  var FILTER = /(^|\s)(kind|sev|severity|service|svc):("[^"]*"|\S*)/gi;
  function parse(q) {
    var filters = {};
    var rest = q.replace(FILTER, function (_, pre, k, v) {
      k = k.toLowerCase();
      k = k === "severity" ? "sev" : k === "svc" ? "service" : k;
      v = v.replace(/^"|"$/g, "");
      if (v) filters[k] = v;
      return pre + " ";
    });
    var rs = runs(rest);
    var open = rs.length > 0 && rs[rs.length - 1].end === rest.length;
    return { filters: filters, runs: rs, open: open, phrase: phraseOf(rest) };
  }
  // The query as a phrase: its words in order with anything but letters and
  // digits between them (`can't` matches `can't` and `can t`), for a query
  // of three words or more apart (a pasted error string, not one alarm
  // name, whose parts are found as the name); null otherwise.
  var SEP = "[^\\p{L}\\p{N}]+";
  function phraseOf(rest) {
    if (rest.trim().split(/\s+/).length < 3) return null;
    var ws = rest.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    return new RegExp("(^|[^\\p{L}\\p{N}])(" + ws.map(escapeRe).join(SEP) + ")", "iu");
  }
  // Clauses: each is a list of alternatives {term, prefix, weight}; a result
  // must match every clause (at least through its page).
  function clausesOf(query) {
    var out = [];
    query.runs.forEach(function (r, i) {
      var last = query.open && i === query.runs.length - 1;
      if (r.parts.length === 1) {
        var w = word(r.parts[0]), l = r.whole;
        if (!w && !(last && len(l) >= 2)) return;
        out.push({ words: [w], prefix: last ? l : null, raw: l, optional: !w });
      } else {
        out.push({ compound: r.whole, prefix: last ? r.whole : null, raw: r.whole,
          slashed: r.whole.indexOf("/") > 0 ? "/" + r.whole : null,
          words: r.parts.map(word).filter(Boolean), last: last, lastPart: r.parts[r.parts.length - 1].toLowerCase() });
      }
    });
    return out;
  }
  function neededKeys(clauses, typos) {
    var need = [];
    clauses.forEach(function (c) {
      if (c.compound && !c.split) {
        need.push(keyOf(c.compound));
        if (c.slashed) need.push(keyOf(c.slashed));
        if (c.prefix) need = need.concat(prefixKeys(c.prefix));
        return;
      }
      c.words.forEach(function (w) { if (w) need.push(keyOf(w)); });
      if (c.prefix) need = need.concat(prefixKeys(c.prefix));
      if (typos && c.typo) need = need.concat(typoKeys(c.typo));
    });
    return need.filter(function (k, i) { return k !== null && need.indexOf(k) === i; });
  }
  function prefixMatches(prefix, exact) {
    var found = [];
    prefixKeys(prefix).forEach(function (k) {
      termsOf(k).forEach(function (t) {
        if (t !== exact && t.slice(0, prefix.length) === prefix) found.push(entry(t));
      });
    });
    // The shortest (closest) completions first, at most 24.
    found.sort(function (x, y) { return x.term.length - y.term.length || y.list.length - x.list.length; });
    return found.slice(0, 24);
  }
  function alternatives(c) {
    var alts = [];
    var add = function (e, weight) { if (e) alts.push({ entry: e, weight: weight }); };
    if (c.compound && !c.split) {
      add(entry(c.compound), 1.1);
      // `health/ready` is also the tail `/health/ready` of `localhost:8080/health/ready`.
      if (c.slashed) add(entry(c.slashed), 1.1);
      if (c.prefix) prefixMatches(c.prefix, c.compound).forEach(function (e) { add(e, PREFIX); });
      if (!alts.length) c.split = true; // not in the index whole: match its parts
      else return alts;
    }
    if (c.compound) {
      // Parts are separate clauses (see expand()).
      return alts;
    }
    var w = c.words[0];
    add(w && entry(w), 1);
    var exact = alts.length > 0;
    if (c.prefix) prefixMatches(c.prefix, w).forEach(function (e) { add(e, PREFIX); });
    // Typos too when the word itself is not in the index, even if it begins
    // a longer one (`postgress` begins `postgresslowqueries`).
    if (!exact && w && typosFor(w) && c.typoLoaded) {
      // The closest words first: those one typo away; two only when none is.
      // A compound counts without its joiners (`dedletter` finds `dead-letter`).
      var near = [], far = [];
      typoKeys(w).forEach(function (k) {
        termsOf(k).forEach(function (t) {
          if (t[0] !== w[0]) return;
          var bare = /[-_.\/]/.test(t) ? t.replace(/[-_.\/]+/g, "") : null;
          if (withinOne(t, w) || (bare && withinOne(bare, w))) near.push(t);
          else if (typosFor(w) > 1 && (withinEdits(t, w, 2) || (bare && withinEdits(bare, w, 2)))) far.push(t);
        });
      });
      near.forEach(function (t) { add(entry(t), TYPO); });
      if (!near.length) far.forEach(function (t) { add(entry(t), TYPO * 0.8); });
    }
    if (!exact && w && typosFor(w)) c.typo = w;
    return alts;
  }
  // A compound not found whole becomes one clause per part.
  function expand(clauses) {
    var out = [];
    clauses.forEach(function (c) {
      if (!(c.compound && c.split)) return out.push(c);
      c.words.forEach(function (w, i) {
        var last = c.last && i === c.words.length - 1;
        out.push({ words: [w], prefix: last ? c.lastPart : null, raw: w });
      });
    });
    return out;
  }
  function score(clauses, filter) {
    var scored = clauses.map(function (c) {
      var docsMap = new Map(), pages = new Map(), best = new Map();
      c.alts.forEach(function (alt) {
        var list = postings(alt.entry);
        for (var i = 0; i < list.length; i += 2) {
          var doc = list[i], cls = list[i + 1], s = WEIGHTS[cls] * alt.weight, p = Math.floor(doc / SEC);
          if (!(docsMap.get(doc) >= s)) { docsMap.set(doc, s); best.set(doc, cls); }
          if (!(pages.get(p) >= s)) pages.set(p, s);
        }
      });
      return { docs: docsMap, pages: pages, best: best };
    });
    var results = [];
    var seen = new Set();
    scored.forEach(function (c) {
      c.docs.forEach(function (_, doc) {
        if (seen.has(doc)) return;
        seen.add(doc);
        var p = Math.floor(doc / SEC);
        if (filter && !filter(p)) return;
        var total = 0, matched = 0, cls = 0;
        scored.forEach(function (d) {
          var v = d.docs.get(doc);
          if (v) { total += v; matched++; cls = Math.max(cls, d.best.get(doc)); }
          else if ((v = d.pages.get(p))) { total += v * VIA_PAGE; matched++; }
        });
        results.push({ doc: doc, page: p, section: doc % SEC, score: total, matched: matched, cls: cls });
      });
    });
    results.sort(function (x, y) {
      return y.matched - x.matched || y.score - x.score || x.page - y.page || x.section - y.section;
    });
    return results;
  }
  function filterOf(query) {
    var wanted = Object.keys(query.filters);
    if (!wanted.length) return { paths: [], test: null, unknown: [] };
    var ids = [], unknown = [];
    wanted.forEach(function (type) {
      var value = query.filters[type].toLowerCase(), id = -1;
      manifest.filters.forEach(function (f, i) { if (f[0] === type && f[1].toLowerCase() === value) id = i; });
      if (id < 0) unknown.push(type + ":" + query.filters[type]);
      ids.push(id);
    });
    return {
      ids: ids,
      unknown: unknown,
      paths: ids.filter(function (i) { return i >= 0; }).map(function (i) { return "search/f/" + i + ".js"; }),
      test: function (p) {
        return ids.every(function (i) {
          if (i < 0) return false;
          if (!sets[i].check) sets[i] = { check: pageSet(sets[i]) };
          return sets[i].check.has(p);
        });
      },
    };
  }
  // Document files: the first sections of `group` pages a file, then one
  // file per further chunk of a long page.
  function docPath(r) {
    var c = Math.floor(r.section / manifest.per);
    r.file = c ? r.page + "-" + c : String(Math.floor(r.page / (manifest.group || 1)));
    return "search/d/" + r.file + ".js";
  }

  // Run a query: resolves to {results, total, words, missing, partial}.
  // opts: {limit, perPage, gate (what to wait for before loading files)}
  S.search = function (q, opts) {
    opts = opts || {};
    var limit = opts.limit || 8, perPage = opts.perPage || 3, gate = opts.gate;
    var query, clauses, filter, phraseChecked = false;
    return ready().then(function () {
      query = parse(q);
      clauses = clausesOf(query);
      filter = filterOf(query);
      if (!clauses.length && !filter.paths.length && !filter.unknown.length) return null;
      return fetchAll(neededKeys(clauses).map(shardPath).concat(filter.paths), gate);
    }).then(function () {
      if (!clauses) return null;
      return resolve(false);
    });
    function resolve(loadedMore) {
      clauses.forEach(function (c) { c.alts = alternatives(c); });
      var split = clauses.some(function (c) { return c.compound && c.split && !c.expanded; });
      if (split) {
        clauses = expand(clauses);
        clauses.forEach(function (c) { c.expanded = true; });
        return fetchAll(neededKeys(clauses).map(shardPath), gate).then(function () { return resolve(loadedMore); });
      }
      var typos = clauses.filter(function (c) { return c.typo && !c.typoLoaded; });
      if (typos.length) {
        typos.forEach(function (c) { c.typoLoaded = true; });
        return fetchAll(neededKeys(typos, true).map(shardPath), gate).then(function () { return resolve(loadedMore); });
      }
      var used = clauses.filter(function (c) { return c.alts.length || !c.optional; });
      var missing = used.filter(function (c) { return !c.alts.length; }).map(function (c) { return c.raw; });
      var live = used.filter(function (c) { return c.alts.length; });
      var results;
      if (live.length) results = score(live, filter.test);
      else if (!used.length && filter.paths.length) {
        results = [];
        for (var p = 0; p < manifest.pages && results.length < 500; p++) {
          if (filter.test(p)) results.push({ doc: p * SEC, page: p, section: 0, score: 0, matched: 0, cls: 0 });
        }
      } else results = [];
      // Too few: fetch the full lists of the common words, once.
      var more = [];
      live.forEach(function (c) {
        c.alts.forEach(function (a) { if (a.entry.more && overflow[a.entry.more] === undefined) more.push(a.entry.more); });
      });
      if (!loadedMore && more.length && results.length < Math.min(limit, 5)) {
        return fetchAll(more.slice(0, 6).map(function (id) { return "search/x/" + id + ".js"; }), gate)
          .then(function () { return resolve(true); });
      }
      // A phrase (the query's words in order, as in a pasted error) ranks
      // first: the best PHRASE_CHECKED results are read, and those whose
      // heading or text holds the phrase move to the top, in their order.
      if (query.phrase && !phraseChecked && results.length > 1) {
        var top = results.slice(0, PHRASE_CHECKED);
        return fetchAll(top.map(docPath), gate).then(function () {
          phraseChecked = true;
          top.forEach(function (r) {
            var d = docs[r.file][r.page], x = d.x[r.section % manifest.per] || ["", "", ""];
            r.phrase = query.phrase.test(x[0]) || query.phrase.test(x[2]);
          });
          var hits = results.filter(function (r) { return r.phrase; });
          if (hits.length) results = hits.concat(results.filter(function (r) { return !r.phrase; }));
          return finish(results, live, used, missing, more, loadedMore);
        });
      }
      return finish(results, live, used, missing, more, loadedMore);
    }
    function finish(results, live, used, missing, more, loadedMore) {
      // At most two sections of a page among the first five, then `perPage`.
      var perPageCount = {}, shown = [], held = [];
      for (var i = 0; i < results.length && shown.length < limit; i++) {
        var r = results[i];
        var n = (perPageCount[r.page] || 0) + 1;
        if (shown.length < 5 && n > Math.min(2, perPage)) { held.push(r); continue; }
        perPageCount[r.page] = n;
        if (n <= perPage) shown.push(r);
        while (shown.length >= 5 && held.length && shown.length < limit) {
          var h = held.shift();
          perPageCount[h.page] = (perPageCount[h.page] || 0) + 1;
          if (perPageCount[h.page] <= perPage) shown.push(h);
        }
      }
      var words = [];
      live.forEach(function (c) {
        words.push(c.raw);
        c.alts.forEach(function (a) { words.push(a.entry.term); });
      });
      var partial = live.length > 0 && results.length > 0 && results[0].matched < live.length;
      var truncated = more.length > 0 && !loadedMore;
      return fetchAll(shown.map(docPath), gate).then(function () {
        shown.forEach(function (r) {
          var d = docs[r.file][r.page], x = d.x[r.section % manifest.per] || ["", "", ""];
          r.title = d.t; r.kind = d.k; r.severity = d.s;
          r.heading = x[0]; r.anchor = x[1]; r.text = x[2]; r.alarms = x[3] || [];
          r.url = BASE + d.u + (x[1] ? "#" + x[1] : "");
          r.phraseRe = query.phrase;
          r.href = d.u + (x[1] ? "#" + x[1] : "");
        });
        return { results: shown, total: results.length, words: words, missing: missing,
          unknown: filter.unknown, partial: partial, more: truncated || results.length > shown.length };
      });
    }
  };

  // ---- Showing results ----
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&"); }
  // A regex for the words, at the start of a word (or anywhere, `loose`:
  // for the camel-case parts of alarm names).
  function matcher(words, loose) {
    var ws = words.filter(function (w, i) { return w && w.length >= 2 && words.indexOf(w) === i; });
    if (!ws.length) return null;
    ws.sort(function (a, b) { return b.length - a.length; });
    return new RegExp((loose ? "()(" : "(^|[^\\p{L}\\p{N}])(") + ws.map(escapeRe).join("|") + ")", "giu");
  }
  // Append `text` to `into`, the matches of `re` in <mark>; around the first
  // match when `window` is set.
  function highlight(into, text, re, window) {
    var start = 0;
    if (re && window) {
      re.lastIndex = 0;
      var first = re.exec(text);
      if (first && first.index > window) {
        start = text.lastIndexOf(" ", first.index - 40);
        start = start < 0 ? first.index : start + 1;
        into.appendChild(document.createTextNode("… "));
      }
    }
    var at = start, m;
    if (re) {
      re.lastIndex = Math.max(0, start - 1);
      while ((m = re.exec(text))) {
        var from = m.index + m[1].length;
        if (from > at) into.appendChild(document.createTextNode(text.slice(at, from)));
        into.appendChild(el("mark", null, m[2]));
        at = from + m[2].length;
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    if (at < text.length) into.appendChild(document.createTextNode(text.slice(at)));
  }
  // The part of `text` to show: SNIPPET characters around the phrase, or
  // else around the place where the most different query words meet (the
  // first such place), cut at spaces.
  function around(text, re, phrase) {
    if (text.length <= SNIPPET) return { text: text };
    var at = 0;
    var m = phrase && phrase.exec(text);
    if (m) at = m.index + m[1].length;
    else if (re) {
      var hits = [];
      re.lastIndex = 0;
      while ((m = re.exec(text))) {
        hits.push({ at: m.index + m[1].length, w: m[2].toLowerCase() });
        if (m[0].length === 0) re.lastIndex++;
      }
      var best = -1;
      hits.forEach(function (h) {
        var seen = new Set();
        hits.forEach(function (o) { if (o.at >= h.at && o.at < h.at + SNIPPET - 40) seen.add(o.w); });
        if (seen.size > best) { best = seen.size; at = h.at; }
      });
    }
    var start = Math.max(0, at - 40);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < at ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET);
    if (end < text.length) {
      var last = text.lastIndexOf(" ", end);
      if (last > at) end = last;
    }
    return { text: text.slice(start, end), before: start > 0, after: end < text.length };
  }
  function resultBody(r, re, loose, tag) {
    var a = el(tag || "a", "sr-item");
    if (a.tagName === "A") a.href = r.url;
    var top = el("span", "sr-top");
    var title = el("span", "sr-title");
    highlight(title, r.title, re, 0);
    top.appendChild(title);
    top.appendChild(el("span", "sr-kind", r.kind === "postmortem" ? "post-mortem" : r.kind));
    if (r.severity) top.appendChild(el("span", "sev sev-" + r.severity.toLowerCase(), r.severity));
    a.appendChild(top);
    if (r.heading) {
      var h = el("span", "sr-heading");
      highlight(h, r.heading, re, 0);
      a.appendChild(h);
    }
    var alarm = loose && (r.cls === 7 || r.cls === 4) && r.alarms.filter(function (n) { loose.lastIndex = 0; return loose.test(n); })[0];
    if (alarm) {
      var al = el("span", "sr-alarm");
      al.appendChild(el("span", "sr-alarm-label", "Alarm "));
      var code = el("code");
      highlight(code, alarm, loose, 0);
      al.appendChild(code);
      a.appendChild(al);
    }
    if (r.text) {
      var sn = el("span", "sr-snippet");
      var cut = around(r.text, re, r.phraseRe);
      if (cut.before) sn.appendChild(document.createTextNode("… "));
      highlight(sn, cut.text, re, 0);
      if (cut.after) sn.appendChild(document.createTextNode(" …"));
      a.appendChild(sn);
    }
    return a;
  }
  function statusText(out, q) {
    if (!out) return "";
    var s = out.total ? out.total + (out.more && out.total >= 10 ? "+" : "") + (out.total === 1 ? " result" : " results") : "No results for “" + q.trim() + "”";
    if (out.unknown.length) s += " (no such filter value: " + out.unknown.join(", ") + ")";
    else if (out.missing.length) s += " (nothing matches " + out.missing.join(", ") + ")";
    else if (out.partial) s += " (showing results that match some of the words)";
    return s;
  }
  function navigate(url) {
    location.href = url;
  }
  function timed(q, started, out) {
    S.timings.push({ query: q, ms: performance.now() - started, results: out ? out.results.length : 0 });
    if (S.timings.length > 50) S.timings.shift();
  }

  // The search box in the header: a combobox with a listbox of results.
  function setupBox(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-search-status]");
    var active = -1, seq = 0, current = null, pageUrl = BASE + "search.html";
    var gate = debounce(DEBOUNCE, function () { return seq; });
    function options() { return list.querySelectorAll("[role=option]"); }
    function open(on) {
      list.hidden = !on;
      input.setAttribute("aria-expanded", on ? "true" : "false");
      if (!on) setActive(-1);
    }
    function setActive(i) {
      var opts = options();
      if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && opts[i]) {
        opts[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function allLink(q) { return pageUrl + "?q=" + encodeURIComponent(q.trim()); }
    function render(out, q) {
      list.textContent = "";
      active = -1;
      var re = matcher(out.words), loose = matcher(out.words, true);
      out.results.forEach(function (r, i) {
        var a = resultBody(r, re, loose);
        a.id = "search-option-" + i;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.tabIndex = -1;
        list.appendChild(a);
      });
      if (!out.results.length) list.appendChild(el("div", "sr-empty", statusText(out, q)));
      var all = el("a", "sr-all", out.results.length ? "All results for “" + q.trim() + "” →" : "Search page and filters →");
      all.href = allLink(q);
      all.id = "search-option-all";
      all.setAttribute("role", "option");
      all.setAttribute("aria-selected", "false");
      all.tabIndex = -1;
      list.appendChild(all);
      status.textContent = statusText(out, q);
      open(true);
    }
    function run() {
      var q = input.value, mine = ++seq, started = performance.now();
      if (!q.trim()) { current = null; open(false); status.textContent = ""; return; }
      S.search(q, { limit: 7, perPage: 2, gate: gate(mine) }).then(function (out) {
        if (mine !== seq) return;
        current = out;
        if (!out) { open(false); return; }
        render(out, q);
        timed(q, started, out);
      }, function (error) {
        if (mine !== seq || error === SUPERSEDED) return;
        list.textContent = "";
        list.appendChild(el("div", "sr-empty", String(error.message || error)));
        open(true);
      });
    }
    input.addEventListener("input", run);
    input.addEventListener("focus", function () {
      ready().catch(function () {});
      if (input.value.trim() && current) open(true);
    });
    input.addEventListener("keydown", function (e) {
      var n = options().length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (list.hidden) { if (input.value.trim()) run(); return; }
        e.preventDefault();
        var step = e.key === "ArrowDown" ? 1 : -1;
        setActive(n ? (active + step + n + (active < 0 && step < 0 ? 1 : 0)) % n : -1);
      } else if (e.key === "Enter") {
        e.preventDefault();
        var opts = options();
        if (active >= 0 && opts[active]) navigate(opts[active].href);
        else if (current && current.results.length && !list.hidden) navigate(current.results[0].url);
        else if (input.value.trim()) navigate(allLink(input.value));
        open(false);
      } else if (e.key === "Escape") {
        if (!list.hidden) { open(false); e.preventDefault(); }
        else if (input.value) { input.value = ""; current = null; }
      }
    });
    list.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep focus in the box
    list.addEventListener("click", function () { open(false); });
    form.addEventListener("focusout", function (e) {
      if (!form.contains(e.relatedTarget)) open(false);
    });
  }

  // The results page, search.html?q=...&kind=&sev=&service=
  function setupPage(form) {
    var input = form.querySelector("input[type=search]");
    var selects = form.querySelectorAll("select[data-filter]");
    var list = document.querySelector("[data-search-results]");
    var status = document.querySelector("[data-search-status]");
    var moreButton = document.querySelector("[data-search-more]");
    var limit = 20, seq = 0;
    var gate = debounce(DEBOUNCE, function () { return seq; });
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    function query() {
      var q = input.value;
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value) q += " " + s.getAttribute("data-filter") + ':"' + s.value + '"';
      });
      return q;
    }
    function remember() {
      var p = new URLSearchParams();
      if (input.value.trim()) p.set("q", input.value.trim());
      Array.prototype.forEach.call(selects, function (s) { if (s.value) p.set(s.name, s.value); });
      var qs = p.toString();
      history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    }
    function run() {
      var q = query(), mine = ++seq, started = performance.now();
      remember();
      if (!q.trim()) {
        list.textContent = "";
        status.textContent = "Type to search.";
        moreButton.hidden = true;
        return;
      }
      S.search(q, { limit: limit, perPage: 3, gate: gate(mine) }).then(function (out) {
        if (mine !== seq) return;
        list.textContent = "";
        if (!out) { status.textContent = "Type to search."; return; }
        var re = matcher(out.words), loose = matcher(out.words, true);
        out.results.forEach(function (r) {
          var li = el("li");
          li.appendChild(resultBody(r, re, loose));
          list.appendChild(li);
        });
        status.textContent = statusText(out, input.value);
        moreButton.hidden = !out.more;
        timed(q, started, out);
      }, function (error) {
        if (mine === seq && error !== SUPERSEDED) status.textContent = String(error.message || error);
      });
    }
    ready().then(function () {
      Array.prototype.forEach.call(selects, function (s) {
        var type = s.getAttribute("data-filter");
        manifest.filters.forEach(function (f) {
          if (f[0] !== type) return;
          var o = el("option", null, f[0] === "kind" && f[1] === "postmortem" ? "post-mortem" : f[1]);
          o.value = f[1];
          s.appendChild(o);
        });
        var wanted = (params.get(s.name) || "").toLowerCase();
        Array.prototype.forEach.call(s.options, function (o) { if (o.value.toLowerCase() === wanted && wanted) s.value = o.value; });
        s.addEventListener("change", function () { limit = 20; run(); });
      });
      run();
    }, function (error) { status.textContent = String(error.message || error); });
    input.addEventListener("input", function () { limit = 20; run(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    moreButton.addEventListener("click", function () { limit += 20; run(); });
  }

  function start() {
    var box = document.querySelector("form.search");
    if (box) setupBox(box);
    var page = document.querySelector("form[data-search-page]");
    if (page) {
      setupPage(page);
      page.querySelector("input[type=search]").focus();
    }
    // `/` focuses search from anywhere but a text field.
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      var input = document.querySelector("form[data-search-page] input[type=search], form.search input[type=search]");
      if (!input) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
