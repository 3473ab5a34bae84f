/* kb search box: Material's own input, answered by the kb API (GET /api/v1/search).
   Results are links a[data-kb-search-result] in Material's search panel; opening one is
   reported with a beacon (POST /api/v1/search/click, no personal data). When the API cannot
   be reached (a static-only deployment) Material's built-in client-side search stays in charge. */
(function () {
  "use strict";
  // The search prompt of the home and 404 pages is a button that opens Material's search:
  // here, not in an inline onclick, which the site's Content-Security-Policy refuses
  // (kb/core/site_headers.py).
  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-kb-search-open]");
    var toggle = document.getElementById("__search");
    if (!t || !toggle) return;
    if (!toggle.checked) toggle.click();
    var q = document.querySelector('[data-md-component="search-query"]');
    if (q) q.focus();
  });
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var opts = script.dataset;
  var api = (opts.kbSearchApi || "").replace(/\/+$/, "");
  var endpoint = api + "/api/v1/search";
  var DEBOUNCE = 120;
  var RETRY_MS = 30000;
  var state = { failedAt: 0, seq: 0, token: null, timer: null, results: [] };

  function siteBase() {
    var cfg = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* default */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function style() {
    var css = ".md-search.kb-search--api [data-md-component=search-result]{display:none}" +
      ".md-search:not(.kb-search--api) [data-kb-search-results]{display:none}" +
      "[data-kb-search-results] mark{background:var(--md-accent-fg-color--transparent);" +
      "color:inherit}.kb-search-suggest{padding:0 .8rem;font-size:.7rem}";
    var s = el("style");
    s.textContent = css;
    document.head.appendChild(s);
  }

  function setup(input) {
    var root = input.closest(".md-search") || document.body;
    var wrap = root.querySelector(".md-search__scrollwrap") || root;
    var box = el("div", "md-search-result kb-search-result");
    box.setAttribute("data-kb-search-results", "");
    box.setAttribute("aria-live", "polite");
    wrap.insertBefore(box, wrap.firstChild);

    function useApi(on) { root.classList.toggle("kb-search--api", on); }

    function report(link) {
      if (!state.token || !navigator.sendBeacon) return;
      var body = JSON.stringify({ search: state.token, article: link.dataset.id,
                                  rank: parseInt(link.dataset.rank, 10) });
      try {
        navigator.sendBeacon(api + "/api/v1/search/click", new Blob([body], { type: "text/plain" }));
      } catch (e) { /* never block navigation */ }
    }

    function render(data) {
      box.textContent = "";
      var n = data.total || 0;
      var meta = el("div", "md-search-result__meta",
        n === 0 ? opts.none : n === 1 ? opts.countOne : (opts.count || "{n}").replace("{n}", n));
      box.appendChild(meta);
      if (data.suggestion) {
        var p = el("p", "kb-search-suggest", (opts.suggest || "Did you mean") + " ");
        var a = el("a", null, data.suggestion);
        a.href = "#";
        a.setAttribute("data-kb-search-suggestion", "");
        a.addEventListener("click", function (ev) {
          ev.preventDefault();
          input.value = data.suggestion;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.focus();
        });
        p.appendChild(a);
        box.appendChild(p);
      }
      var list = el("ol", "md-search-result__list");
      var base = siteBase();
      state.results = [];
      (data.results || []).forEach(function (r, i) {
        var li = el("li", "md-search-result__item");
        var link = el("a", "md-search-result__link");
        var url = new URL(r.url, base);
        if (r.section && r.section.anchor) url.hash = r.section.anchor;
        /* The article page reports its view as opened from this search (feedback.js). */
        if (state.token) url.searchParams.set("kb_search", state.token);
        link.href = url.href;
        link.setAttribute("data-kb-search-result", "");
        link.dataset.id = r.id;
        link.dataset.rank = String(i + 1);
        link.addEventListener("click", function () { report(link); });
        var art = el("article", "md-search-result__article md-typeset");
        art.appendChild(el("div", "md-search-result__icon md-icon"));
        var title = el("h1", null, r.title);
        if (r.lang && opts.lang && r.lang !== opts.lang) { /* found across languages */
          title.lang = r.lang;
          art.lang = r.lang;
          var names = {};
          (opts.languageNames || "").split(",").forEach(function (p) {
            var kv = p.split(":");
            if (kv[1]) names[kv[0]] = kv[1];
          });
          var tag = el("span", "kb-badge kb-search-lang",
            (opts.otherLanguage || "{language}").replace("{language}", names[r.lang] || r.lang));
          tag.lang = opts.lang;
          tag.setAttribute("data-kb-search-lang", r.lang);
          title.appendChild(document.createTextNode(" "));
          title.appendChild(tag);
        }
        art.appendChild(title);
        if (r.section && r.section.title) art.appendChild(el("p", "kb-search-section", r.section.title));
        var snip = el("p");
        snip.innerHTML = r.snippet; /* built by the API: escaped text and <mark> only */
        art.appendChild(snip);
        link.appendChild(art);
        li.appendChild(link);
        list.appendChild(li);
        state.results.push(link);
      });
      box.appendChild(list);
    }

    function run() {
      var q = input.value.trim();
      var seq = ++state.seq;
      if (!q) { box.textContent = ""; state.results = []; return; }
      if (state.failedAt && Date.now() - state.failedAt < RETRY_MS) return;
      var url = endpoint + "?q=" + encodeURIComponent(q) + "&lang=" +
        encodeURIComponent(opts.lang || "") + "&limit=10";
      fetch(url, { headers: { Accept: "application/json" } }).then(function (res) {
        if (!res.ok) throw new Error("search API " + res.status);
        var token = res.headers.get("X-KB-Search-Id");
        return res.json().then(function (data) { return [data, token]; });
      }).then(function (pair) {
        if (seq !== state.seq) return; /* a newer query is on its way */
        state.failedAt = 0;
        state.token = pair[1];
        render(pair[0]);
        useApi(true);
      }).catch(function () {
        state.failedAt = Date.now();
        useApi(false); /* Material's own results show instead (search-index.js loads them) */
        document.dispatchEvent(new Event("kb:search-fallback"));
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(state.timer);
      state.timer = setTimeout(run, DEBOUNCE);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || !root.classList.contains("kb-search--api")) return;
      var first = state.results[0];
      if (!first) return;
      ev.preventDefault();
      ev.stopPropagation();
      report(first);
      location.href = first.href;
    }, true);
    // The keys people know from Material's own results, on kb's: the arrows move between the
    // query and the results, Tab too but without leaving the dialog; Enter opens the link in
    // focus (the browser's own), Escape closes (Material's). Captured before Material's
    // handler, which only knows its own, hidden, result list, and sends any other key
    // (Shift of Shift+Tab, Enter) back to the query.
    var OWN = { Enter: 1, Shift: 1, Control: 1, Alt: 1, Meta: 1 };
    document.addEventListener("keydown", function (ev) {
      var moves = { ArrowDown: 1, ArrowUp: -1, Tab: ev.shiftKey ? -1 : 1 };
      var step = moves[ev.key];
      if (!root.classList.contains("kb-search--api") || !root.contains(ev.target)) return;
      if (!step) {
        if (OWN[ev.key] && state.results.indexOf(ev.target) >= 0) ev.stopPropagation();
        return;
      }
      var stops = [input].concat(state.results);
      if (ev.key !== "Tab" && stops.length < 2) return;
      var at = stops.indexOf(ev.target);
      ev.preventDefault();
      ev.stopPropagation();
      stops[(Math.max(at, 0) + step + stops.length) % stops.length].focus();
    }, true);
  }

  function init() {
    var input = document.querySelector('[data-md-component="search-query"]');
    if (!input || input.dataset.kbSearch) return;
    input.dataset.kbSearch = "on";
    style();
    setup(input);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
