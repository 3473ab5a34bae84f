"""In Chromium, under ``kb serve``: the site's Content-Security-Policy holds while a reader
votes and searches (no violation reported), readers get no cookie, and a vote made while the
API's database is down is kept by the widget and stored exactly once when it comes back.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import urllib.request

import pytest

from kb.core.scaffold import init_project
from tests.helpers import KB, kb_env, kb_serve_process

pytestmark = pytest.mark.browser

ARTICLE = "account/reset-your-password/"

# Collected in the page before any of its scripts run.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
                    + (e.sample || "") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def served(tmp_path, browser):
    """``kb serve`` (live reload on, as writers run it) on a sample help center."""
    project = tmp_path / "hc"
    init_project(project, "en")
    with kb_serve_process(project, tmp_path / "serve.log") as base:
        yield project, base


def watch(page) -> dict:
    """Record CSP violations (event and console) and every Set-Cookie the page receives."""
    seen: dict = {"console": [], "cookies": [], "responses": 0}
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda m: (
            seen["console"].append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )

    def on_response(resp):
        seen["responses"] += 1
        cookie = resp.headers.get("set-cookie")
        if cookie:
            seen["cookies"].append(f"{resp.url}: {cookie}")

    page.on("response", on_response)
    return seen


def test_csp_holds_while_voting_and_searching(served, page):
    project, base = served
    seen = watch(page)
    response = page.goto(base + ARTICLE)
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"

    # vote through all three steps
    page.click("[data-csat='2']")
    page.click("[data-ces='3']")
    page.fill("textarea[name=comment]", '<script>alert(1)</script> =HYPERLINK("x")')
    page.click("[data-kb-feedback] button[type=submit]")
    page.wait_for_selector("[data-kb-feedback-done]")

    # search from the header box
    box = page.locator("[data-md-component='search-query']")
    box.click()
    box.fill("password")
    page.wait_for_selector("a[data-kb-search-result], .md-search-result__item", timeout=10000)

    # an inline script injected into the page must be refused (the policy really applies)
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.append(s); }""")
    page.wait_for_timeout(200)
    violations = page.evaluate("window.__csp")
    injected = [v for v in violations if v.startswith("script-src")]
    assert page.evaluate("window.__injected") is None and injected, violations
    others = [v for v in violations if v not in injected[:1]]
    assert others == [], f"CSP violations while voting/searching: {others}"
    assert len(seen["console"]) <= 1, seen["console"]  # only the deliberate injection

    assert page.evaluate("document.cookie") == ""
    assert seen["cookies"] == [] and seen["responses"] > 5
    rows = exported(project)
    assert len(rows) == 1 and rows[0]["comment"].startswith("<script>")


def exported(project) -> list[dict]:
    out = project / "votes.jsonl"
    done = subprocess.run(
        [*KB, "feedback", "export", "-o", str(out)],
        cwd=project,
        env=kb_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("kind") in (None, "", "vote")]  # the votes, not the journey


def test_every_page_of_the_site_has_a_policy_matching_its_inline_scripts(served):
    """Each HTML page's hashes cover exactly the inline scripts it carries."""
    from kb.core.site_headers import inline_script_hashes

    project, base = served
    pages = ["", "billing/", ARTICLE, "getting-started/set-up-your-workspace/", "404.html"]
    for path in pages:
        try:
            resp = urllib.request.urlopen(base + path, timeout=10)
        except urllib.error.HTTPError as exc:  # the 404 page is an HTTPError with a body
            resp = exc
        body = resp.read()
        csp = resp.headers.get("Content-Security-Policy") or ""
        for source in inline_script_hashes(body):
            assert source in csp, (path, source)
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
    css = urllib.request.urlopen(base + "assets/kb/feedback.css", timeout=10)
    assert css.headers.get("X-Content-Type-Options") == "nosniff"
    assert css.headers.get("Content-Security-Policy") is None  # only documents need one


def lock_database(path) -> sqlite3.Connection:
    """Hold SQLite's write lock, as a long migration or a stuck writer would."""
    conn = sqlite3.connect(path, timeout=1, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def test_vote_during_a_database_outage_is_kept_and_stored_once(served, page):
    """The API's SQLite database is locked (as by a stuck writer or a long migration) while
    a reader votes: the API answers 503 + Retry-After in bounded time, the widget keeps the
    vote in localStorage and retries by itself; once the lock is gone the vote is stored,
    exactly once, even after more retries and page views."""
    project, base = served
    answers: list[int] = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if r.url.endswith("/api/v1/feedback") else None,
    )
    page.goto(base + ARTICLE)
    queued_text = page.get_attribute("[data-kb-feedback]", "data-t-queued")

    holder = lock_database(project / ".kb" / "feedback.db")
    try:
        page.click("[data-csat='4']")
        page.wait_for_function(
            "(t) => document.querySelector('[data-kb-status]').textContent == t",
            arg=queued_text,
            timeout=20000,
        )
        queue = page.evaluate("JSON.parse(localStorage.getItem('kb-feedback-queue') || '{}')")
        assert len(queue) == 1, queue
        assert answers and answers[0] == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    deadline = time.monotonic() + 40
    while not (rows := exported(project)) and time.monotonic() < deadline:
        time.sleep(1)
    assert len(rows) == 1 and rows[0]["csat"] == 4, rows
    page.wait_for_function("!localStorage.getItem('kb-feedback-queue')", timeout=10000)
    page.reload()  # another page view flushes the (now empty) queue: nothing is re-sent
    page.wait_for_timeout(500)
    rows = exported(project)
    assert len(rows) == 1, rows
    acknowledged = sum(1 for s in answers if s in (200, 201))
    print(
        f"outage: {len(answers)} requests {answers}, {acknowledged} acknowledged, "
        f"{len(rows)} stored"
    )
    assert acknowledged >= 1 and 503 in answers


@pytest.mark.parametrize("path", ["", "no/such/page/"])
def test_search_prompt_works_from_the_keyboard_under_the_csp(served, page, path):
    """The home and 404 pages' search prompt once used an inline onkeydown, which the CSP
    refuses; it must work from the keyboard with no violation."""
    _, base = served
    watch(page)
    page.goto(base + path)
    page.focus(".kb-hero__search")
    page.keyboard.press("Enter")
    page.keyboard.type("password")
    page.wait_for_selector("a[data-kb-search-result], .md-search-result__item", timeout=10000)
    assert page.evaluate("window.__csp") == []
