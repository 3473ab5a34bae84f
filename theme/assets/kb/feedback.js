/* kb "was this helpful" widget (docs/widget.md). Upgrades the plain form of
   partials/feedback.html to three steps and posts each answer as JSON to the kb API, always
   with the same client-made submission id, so follow-ups and retries update one vote.
   Answers the API could not take (offline, 5xx, 429) wait in localStorage (no cookies, at
   most a week) and are sent on the next page view or when the browser comes back online.
   Article pages also send one view and record "contact support" (the journey, below).
   The build minifies this file (kb/assets.py). */
(() => {
  const KEY = "kb-feedback-queue", WEEK = 6048e5;
  const load = () => {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  };
  const store = (q) => {
    try {
      if (Object.keys(q).length) localStorage.setItem(KEY, JSON.stringify(q));
      else localStorage.removeItem(KEY);
    } catch (e) { /* storage off */ }
  };
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID()  // secure contexts only
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

  // Sends a vote's state so far: "ok", "queued" (network down, 5xx, 429: kept to retry) or
  // "error" (4xx: retrying cannot help). The vote is written to the queue first, so a reader
  // who leaves while it is on its way loses nothing; the queue keeps one entry per submission,
  // always the newest state, which an answer for an older state does not remove.
  const send = (item) => {
    const id = item.vote.submission, body = JSON.stringify(item.vote), q = load();
    q[id] = item;
    store(q);
    return fetch(item.url, {
      method: "POST", credentials: "omit", keepalive: true,
      headers: { "Content-Type": "application/json" }, body,
    }).then((r) => (r.ok ? (wait = 0, "ok") : r.status < 500 && r.status != 429 ? "error"
      : retry(+r.headers.get("Retry-After"))), () => retry(0))
      .then((state) => {
        const q = load();
        if (state != "queued" && q[id] && JSON.stringify(q[id].vote) == body) delete q[id];
        store(q);
        return state;
      });
  };
  // While the page stays open, queued votes are retried after the API's Retry-After (or 5 s,
  // doubling to 5 min), so a database outage that ends while the reader reads loses nothing.
  let timer = 0, wait = 0;
  const retry = (secs) => {
    wait = Math.min(wait * 2 || 5, 300);
    if (!timer) timer = setTimeout(() => { timer = 0; flush(); }, 1e3 * Math.max(secs || 0, wait));
    return "queued";
  };
  const flush = () => {
    const q = load(), now = Date.now();
    for (const id in q) if (!(now - q[id].t < WEEK)) delete q[id];  // stale, or no date
    store(q);
    Object.values(q).forEach(send);
  };

  // The reader's journey: one view per article page shown, with how the reader came (from
  // kb's search, another page of the site, or outside), and "contact support" recorded, its
  // link carrying what the reader tried. Nothing about the reader is kept on the device: ids
  // are random, and the search that led here comes in the address (?kb_search=, put there by
  // search.js), taken out of it at once. Without an API nothing is counted; links still work.
  let answers = {}, search, shown = 0;
  // A string body goes as text/plain: no CORS preflight. Retried twice, 3 s apart, same id.
  const beacon = (api, path, body, n = 2) => fetch(api + "/api/v1/" + path, {
    method: "POST", credentials: "omit", keepalive: true, body: JSON.stringify(body),
  }).then((r) => (r.status < 500 ? r : Promise.reject())).catch(() => n
    && new Promise((ok) => setTimeout(ok, 3e3)).then(() => beacon(api, path, body, n - 1)));
  const journey = () => {
    const el = document.querySelector("[data-kb-view]"), url = new URL(location);
    const inside = shown++ || document.referrer.startsWith(location.origin + "/");
    search = url.searchParams.get("kb_search");
    if (search) {
      url.searchParams.delete("kb_search");
      history.replaceState(history.state, "", url);
    }
    if (!el || el.kbSent) return;
    el.kbSent = 1;
    const d = el.dataset, at = { article: d.kbView, revision: d.revision, lang: d.lang, search };
    const contact = uuid();  // one per page shown: clicking twice is one contact
    let q;
    // No arrival: the API takes "search" with a search, else "external".
    beacon(d.api, "views", { ...at, id: uuid(), arrival: !search && inside ? "article" : null })
      .then((r) => r && r.json()).then((j) => { q = j.query; }, () => {});
    document.querySelectorAll("[data-kb-contact]").forEach((a) => {
      const href = a.href;
      a.onclick = a.onauxclick = () => {
        // The short question set's "helpful" is CSAT 4 or 2, as the API stores it.
        const { helpful: h, csat = h == null ? h : h ? 4 : 2, ces, reason } = answers;
        const u = new URL(href), ctx = { q, csat, ces };
        for (const k in ctx) if (ctx[k]) u.searchParams.set(k, ctx[k]);
        a.href = u;
        beacon(d.api, "contacts", { ...at, id: contact, q, csat, ces, reason });
      };
    });
  };

  const widget = (root) => {
    const d = root.dataset, all = (s) => root.querySelectorAll(s);
    const steps = all("[data-kb-step]"), status = root.querySelector("[data-kb-status]");
    const low = all("[data-kb-reasons]"), contact = all("[data-kb-contact]");
    // With the search that led here, if any: the API records what that search ended in.
    const vote = answers = { article: d.article, revision: d.revision, lang: d.lang, submission: uuid(), search };
    const say = (text) => { status.textContent = text; };
    // Steps by number: 1 the first question, 2 CES (the full set only), 3 the comment.
    const show = (n, focus) => {
      let shown = null;
      steps.forEach((s) => { s.hidden = s.dataset.kbStep != n; if (!s.hidden) shown = s; });
      if (focus) (shown || status).focus();
    };
    // A low answer (CSAT 1-2, or "not helpful" in the short set) asks what went wrong.
    const isLow = () => vote.helpful === false || vote.csat <= 2;
    let last = "ok";
    const post = () => send({ url: root.action, vote: { ...vote }, t: Date.now() }).then((s) => {
      last = s;
      say(s == "ok" ? d.tVoted : s == "queued" ? d.tQueued : d.tError);
      if (s == "error") show(0);
    });
    const finish = () => {
      root.setAttribute("data-kb-feedback-done", "");
      show(0, 1);
      say(last == "ok" ? d.tThanks : last == "queued" ? d.tQueued : d.tError);
    };
    const answer = (name, value, button) => {
      vote[name] = value;
      button.parentNode.querySelectorAll("button")
        .forEach((b) => b.setAttribute("aria-pressed", b == button));
      if (name != "ces") {
        low.forEach((el) => { el.hidden = !isLow(); });
        contact.forEach((a) => a.classList.toggle("md-button", isLow()));  // offered prominently
        if (!isLow()) delete vote.reason;
      }
      post();
      show(name == "csat" ? 2 : 3, 1);
    };

    root.classList.add("kb-fb--js");
    root.noValidate = true;
    // Radios -> buttons: one press, one answer (arrow keys through radios would vote each time).
    all("input[data-csat],input[data-ces],input[data-helpful]").forEach((input) => {
      const label = input.parentNode, b = document.createElement("button");
      const name = input.name, value = name == "helpful" ? input.value == "yes" : +input.value;
      input.remove();
      b.type = "button";
      b.className = label.className;
      b.title = label.title;
      b.setAttribute("data-" + name, input.value);
      b.setAttribute("aria-pressed", false);
      b.append(...label.childNodes);
      b.onclick = () => answer(name, value, b);
      label.replaceWith(b);
    });
    all("[data-kb-skip]").forEach((b) => {
      b.hidden = false;
      b.onclick = () => (b.closest("[data-kb-step]").dataset.kbStep == 2 ? show(3, 1) : finish());
    });
    low.forEach((el) => { el.hidden = true; });
    root.onsubmit = (e) => {
      e.preventDefault();
      const f = root.elements, comment = f.comment.value.trim(), reason = f.reason.value;
      if (comment) vote.comment = comment;
      if (reason && isLow()) vote.reason = reason;
      if (comment || vote.reason) post().then(() => last != "error" && finish());
      else finish();
    };
    // The no-JavaScript form's redirect comes back with ?kb_feedback=thanks#kb-feedback-thanks.
    if (/[?&]kb_feedback=thanks/.test(location.search) || location.hash == "#kb-feedback-thanks") {
      root.setAttribute("data-kb-feedback-done", "");
      show(0);
      say(d.tThanks);
    } else show(1);
  };

  const init = () => {
    flush();
    answers = {};
    journey();
    document.querySelectorAll("[data-kb-feedback]:not(.kb-fb--js)").forEach(widget);
  };
  addEventListener("online", flush);
  // Material's instant navigation swaps pages without reloading: its document$ says when.
  if (window.document$) window.document$.subscribe(init); else init();
})();
