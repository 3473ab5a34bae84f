"""The feedback widget in a real Chromium, against the real API on kb serve's single port.

One help center is built and served for the module (site and API on one port, as
``kb serve`` does); every test starts with an empty feedback table. Screenshots of each
step go to kb-widget-*.png in the screenshot folder (tests/helpers.py) for a person to look at.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete

from kb.core.scaffold import init_project
from tests.helpers import SCREENSHOTS, serving_with_api

pytestmark = pytest.mark.browser

ARTICLE = "billing/request-a-refund/"
ARTICLE_ID = "request-a-refund-4c8e01"
SUPPORT = "https://support.example.com/new?source=kb"
SHOTS = SCREENSHOTS
HOSTILE = '<img src=x onerror="window.__kbPwned = 1; alert(1)"><script>alert(2)</script>'


def configure(project: Path) -> None:
    """A support link, no web fonts (the sandbox, and the test, allow no third party), and
    Material's instant navigation (pages swapped without a reload), the harder case for a script."""
    yml = project / "mkdocs.yml"
    text = yml.read_text(encoding="utf-8")
    text = text.replace("  name: material\n", "  name: material\n  font: false\n", 1)
    top = "    - navigation.top\n"
    text = text.replace(top, top + "    - navigation.instant\n", 1)
    text = text.replace(
        "  - kb:\n",
        f"  - kb:\n      support_url: {SUPPORT}\n      short_questions: [troubleshooting/**]\n",
        1,
    )
    yml.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    """(base URL, database engine): the sample help center and its API, both on one port."""
    project = tmp_path_factory.mktemp("widget")
    init_project(project, "en")
    configure(project)
    with serving_with_api(project) as served_:
        yield served_


@pytest.fixture
def votes(served):
    """A function returning every stored vote; the table starts empty for each test."""
    from kb.store.tables import feedback
    from kb.store.votes import iter_votes

    engine = served[1]
    with engine.begin() as conn:
        conn.execute(delete(feedback))
    return lambda: list(iter_votes(engine))


@pytest.fixture
def base(served):
    return served[0]


def wait_until(check, timeout: float = 10, page=None):
    """Poll ``check`` until it is truthy. With ``page``, wait through Playwright, so the
    page's event handlers (routes) keep running meanwhile."""
    end = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        if page is not None:
            page.wait_for_timeout(50)
        else:
            time.sleep(0.05)
    return result


def shot(page, name: str) -> None:
    page.locator("[data-kb-feedback]").screenshot(path=str(SHOTS / f"kb-widget-{name}.png"))


def watch(page):
    """Every request the page makes, and every dialog it opens (dismissed)."""
    seen = {"requests": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    return seen


def posts(seen) -> list:
    return [r for r in seen["requests"] if r.method == "POST"]


def test_three_steps_make_one_vote(page, base, votes):
    seen = watch(page)
    page.goto(base + ARTICLE)
    root = page.locator("[data-kb-feedback]")
    assert root.get_attribute("data-article") == ARTICLE_ID
    assert page.locator("[data-ces='1']").is_hidden()  # step 2 waits for a CSAT vote
    root.scroll_into_view_if_needed()
    shot(page, "1-csat")

    page.click("[data-csat='2']")
    page.wait_for_selector("[data-ces='1']")
    wait_until(lambda: len(votes()) == 1)
    first = votes()[0]
    assert (first["csat"], first["ces"], first["comment"]) == (2, None, None)
    assert page.get_attribute("[data-csat='2']", "aria-pressed") == "true"
    expect_text(page, "[data-kb-status]", "Thanks, your vote is recorded.")
    support = page.locator("[data-kb-support] a")
    assert support.is_visible() and "md-button" in support.get_attribute("class")  # prominent
    query = parse_qs(urlsplit(support.get_attribute("href")).query)
    assert query == {"source": ["kb"], "article": [ARTICLE_ID], "title": ["Can I get a refund?"]}
    shot(page, "2-ces")

    page.click("[data-ces='5']")
    page.wait_for_selector("textarea[name=comment]")
    page.click("text=Missing steps")
    page.fill("textarea[name=comment]", "The refund form is not where step 2 says.")
    shot(page, "3-comment")
    page.click("[data-kb-feedback] button[type=submit]")
    page.wait_for_selector("[data-kb-feedback-done]")
    expect_text(page, "[data-kb-status]", "Thank you for your feedback!")
    shot(page, "4-done")

    [row] = votes()  # three posts, one row
    assert (row["article_id"], row["csat"], row["ces"]) == (ARTICLE_ID, 2, 5)
    assert row["comment"] == "The refund form is not where step 2 says."
    assert row["reason"] == "missing_steps" and row["source"] == "widget"
    assert row["submission"] == first["submission"] and uuid.UUID(row["submission"]).version == 4
    votes_sent = [r for r in posts(seen) if urlsplit(r.url).path == "/api/v1/feedback"]
    assert len(votes_sent) == 3  # and the page's one view beacon
    assert [urlsplit(r.url).path for r in posts(seen)].count("/api/v1/views") == 1
    assert all(urlsplit(r.url).netloc == urlsplit(base).netloc for r in seen["requests"])
    assert seen["dialogs"] == [] and page.evaluate("document.cookie") == ""
    assert not [r for r in posts(seen) if "cookie" in r.headers]


def test_the_short_question_set_asks_helpful_then_a_comment(page, base, votes):
    page.goto(base + "troubleshooting/cant-sign-in/")
    assert page.locator("[data-csat]").count() == 0 and page.locator("[data-ces]").count() == 0
    expect_text(page, "[data-kb-step='1'] legend", "Was this page helpful?")
    page.locator("[data-kb-feedback]").scroll_into_view_if_needed()
    shot(page, "short-helpful")
    page.click("[data-helpful='no']")
    page.wait_for_selector("textarea[name=comment]")
    wait_until(lambda: len(votes()) == 1)
    assert (votes()[0]["csat"], votes()[0]["ces"]) == (2, None)  # "no" is CSAT 2
    assert page.locator("[data-kb-support] a").is_visible()  # not helped: a person
    page.click("text=Missing steps")
    page.fill("textarea[name=comment]", "No word on SSO.")
    shot(page, "short-comment")
    page.click("[data-kb-feedback] button[type=submit]")
    page.wait_for_selector("[data-kb-feedback-done]")
    [row] = votes()
    assert (row["csat"], row["ces"], row["reason"], row["comment"]) == (
        2,
        None,
        "missing_steps",
        "No word on SSO.",
    )


def test_submission_id_without_crypto_random_uuid(page, base, votes):
    # plain http on a LAN address is not a secure context: randomUUID is missing there
    page.add_init_script("delete Crypto.prototype.randomUUID")
    page.goto(base + ARTICLE)
    assert page.evaluate("typeof crypto.randomUUID") == "undefined"
    page.click("[data-csat='3']")
    page.click("[data-ces='4']")
    [row] = wait_until(lambda: [v for v in votes() if v["ces"] == 4])
    assert uuid.UUID(row["submission"]).version == 4 and len(votes()) == 1


def test_works_after_instant_navigation(page, base, votes):
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.goto(base)
    # Material takes over links only once it has the site's sitemap.xml (fetched after load)
    page.wait_for_load_state("networkidle")
    page.click(f"a[href*='{ARTICLE}']")
    page.wait_for_url("**/" + ARTICLE)
    page.click("[data-csat='5']")
    page.wait_for_selector("[data-ces='1']")
    [row] = wait_until(votes)
    assert row["article_id"] == ARTICLE_ID and row["csat"] == 5
    assert loads == [base]  # the article came in without a page load
    assert (
        page.locator("[data-kb-feedback]").evaluate("el => getComputedStyle(el).borderRadius")
        != "0px"
    )  # and with its style


def test_high_score_hides_reasons_and_support(page, base, votes):
    page.goto(base + ARTICLE)
    page.click("[data-csat='5']")
    page.click("[data-kb-step='2'] [data-kb-skip]")  # CES is optional
    page.wait_for_selector("textarea[name=comment]")
    assert page.locator("[data-kb-reasons]").is_hidden()
    assert page.locator("[data-kb-support]").is_visible()  # always there, not pressed on
    assert "md-button" not in (page.get_attribute("[data-kb-contact]", "class") or "")
    page.click("[data-kb-step='3'] [data-kb-skip]")
    page.wait_for_selector("[data-kb-feedback-done]")
    [row] = wait_until(votes)
    assert (row["csat"], row["ces"], row["comment"], row["reason"]) == (5, None, None, None)


def test_hostile_comment_stays_inert(page, base, votes):
    seen = watch(page)
    page.goto(base + ARTICLE)
    page.click("[data-csat='1']")
    page.click("[data-ces='1']")
    page.fill("textarea[name=comment]", HOSTILE)
    page.click("[data-kb-feedback] button[type=submit]")
    page.wait_for_selector("[data-kb-feedback-done]")
    page.wait_for_timeout(300)  # time for an injected handler to fire, if there were one
    assert seen["dialogs"] == []
    assert page.evaluate("window.__kbPwned") is None
    assert page.locator("[data-kb-feedback] img, [data-kb-feedback] script").count() == 0
    assert not [r for r in seen["requests"] if urlsplit(r.url).path.endswith("/x")]
    [row] = votes()
    assert row["comment"] == HOSTILE  # stored as the text it was, nothing stripped or run


def test_form_without_javascript_posts_and_thanks(browser, base, votes):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + ARTICLE)
        submission = page.locator("[data-kb-feedback] input[name=submission]")
        assert submission.get_attribute("value") == ""
        page.locator("[data-kb-feedback]").scroll_into_view_if_needed()
        shot(page, "nojs-form")
        page.click("label:has([data-csat='2'])")
        page.click("label:has([data-ces='6'])")
        page.click("label:has(input[value='outdated'])")
        page.fill("textarea[name=comment]", "Prices changed last month.")
        with page.expect_navigation():
            page.click("[data-kb-feedback] button[type=submit]")
        parts = urlsplit(page.url)
        assert parts.path == "/" + ARTICLE and "kb_feedback=thanks" in parts.query
        assert parts.fragment == "kb-feedback-thanks"
        assert page.locator("#kb-feedback-thanks").is_visible()
        assert page.locator("[data-kb-step='1']").is_hidden()
        shot(page, "nojs-thanks")
    finally:
        context.close()
    [row] = votes()
    assert (row["csat"], row["ces"], row["reason"]) == (2, 6, "outdated")
    assert row["comment"] == "Prices changed last month." and row["source"] == "form"
    assert uuid.UUID(row["submission"])  # made by the API, since the static page cannot


def test_offline_vote_waits_and_is_sent_once_on_next_view(page, base, votes):
    page.route("**/api/v1/feedback", lambda route: route.abort("internetdisconnected"))
    page.goto(base + ARTICLE)
    page.click("[data-csat='4']")
    expect_text(page, "[data-kb-status]", "saved on this device")
    page.click("[data-ces='6']")  # the follow-up joins the same waiting vote
    expect_text(page, "[data-kb-status]", "saved on this device")
    shot(page, "offline")
    queue = page.evaluate("JSON.parse(localStorage.getItem('kb-feedback-queue'))")
    assert len(queue) == 1 and list(queue.values())[0]["vote"]["ces"] == 6
    assert votes() == []

    page.unroute("**/api/v1/feedback")
    page.reload()
    rows = wait_until(votes)
    page.wait_for_function("localStorage.getItem('kb-feedback-queue') === null")
    page.reload()  # a later view has nothing left to send
    page.wait_for_timeout(300)
    assert len(votes()) == 1
    assert (rows[0]["csat"], rows[0]["ces"], rows[0]["submission"]) == (4, 6, list(queue)[0])


def test_vote_still_on_its_way_when_the_reader_leaves_is_not_lost(page, base, votes):
    held = []

    def first_hangs(route):  # the first request never gets an answer; later ones go through
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/feedback", first_hangs)
    page.goto(base + ARTICLE)
    page.click("[data-csat='2']")
    wait_until(lambda: held, page=page)
    page.goto(base)  # the reader moves on before the API answered
    [row] = wait_until(votes, page=page)  # the next page view sent it
    assert row["csat"] == 2
    page.wait_for_function("localStorage.getItem('kb-feedback-queue') === null")
    held[0].abort()
    page.wait_for_timeout(200)
    assert len(votes()) == 1


def test_queue_forgets_votes_older_than_a_week(page, base, votes):
    page.goto(base + ARTICLE)
    old = {
        "url": base + "api/v1/feedback",
        "t": 0,
        "vote": {"article": ARTICLE_ID, "csat": 5, "submission": str(uuid.uuid4())},
    }
    page.evaluate(
        "item => localStorage.setItem('kb-feedback-queue',"
        " JSON.stringify({[item.vote.submission]: item}))",
        old,
    )
    page.reload()
    page.wait_for_function("localStorage.getItem('kb-feedback-queue') === null")
    page.wait_for_timeout(200)
    assert votes() == []


def test_server_error_queues_and_online_event_resends(page, base, votes):
    page.route(
        "**/api/v1/feedback",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body='{"error": {"code": "database_unavailable", "message": "down"}}',
        ),
    )
    page.goto(base + ARTICLE)
    page.click("[data-csat='3']")
    expect_text(page, "[data-kb-status]", "saved on this device")
    page.unroute("**/api/v1/feedback")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    [row] = wait_until(votes)
    assert row["csat"] == 3


def test_keyboard_only_vote(page, base, votes):
    page.goto(base + ARTICLE)
    for _ in range(300):  # Tab from the top of the page into the widget
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.csat") == "1":
            break
    else:
        pytest.fail("Tab never reached the first CSAT button")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.csat") == "4"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    shot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-ces='1']")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.ces") == "1"
    for _ in range(5):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_selector("textarea[name=comment]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "comment"
    page.keyboard.type("Clear, thanks")
    page.keyboard.press("Tab")  # Skip
    page.keyboard.press("Tab")  # Send
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-kb-feedback-done]")
    [row] = votes()
    assert (row["csat"], row["ces"], row["comment"]) == (4, 6, "Clear, thanks")


def test_screen_reader_sees_named_controls_and_hears_the_thanks(page, base, votes):
    page.goto(base + ARTICLE)
    widget = page.get_by_role("form", name="Article feedback")
    step1 = widget.get_by_role("group", name="How satisfied are you with this article?")
    for name in (
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ):
        assert step1.get_by_role("button", name=name, exact=True).count() == 1
    assert "img" not in widget.aria_snapshot()  # the faces' icons are decoration
    step1.get_by_role("button", name="Satisfied", exact=True).click()
    step2 = widget.get_by_role("group", name="How easy was it to solve your problem?")
    step2.get_by_role("button", name="7 (Very easy)").click()
    widget.get_by_role("textbox", name="Your comment").fill("Fine")
    widget.get_by_role("button", name="Send").click()
    page.wait_for_selector("[data-kb-feedback-done]")
    status = widget.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().startswith("Thank you for your feedback!")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    assert [(v["csat"], v["ces"]) for v in votes()] == [(4, 7)]


def test_follows_light_and_dark_palette(browser, base, votes):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1000, "height": 800})
        page = context.new_page()
        try:
            page.goto(base + ARTICLE)
            root = page.locator("[data-kb-feedback]")
            root.scroll_into_view_if_needed()
            colours[scheme] = root.evaluate(
                "el => [getComputedStyle(el).backgroundColor,"
                " getComputedStyle(el.querySelector('legend')).color]"
            )
            page.click("[data-csat='1']")
            page.wait_for_selector("[data-ces='1']")
            shot(page, f"{scheme}-ces")
        finally:
            context.close()
    assert colours["light"] != colours["dark"]
    light_bg, dark_bg = (_luminance(colours[s][0]) for s in ("light", "dark"))
    assert light_bg > 0.8 and dark_bg < 0.2
    assert _luminance(colours["dark"][1]) > 0.5  # light text on the dark card


def _luminance(css_colour: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def expect_text(page, selector: str, text: str, timeout: float = 5000) -> None:
    page.wait_for_function(
        "([sel, text]) => (document.querySelector(sel)?.textContent || '').includes(text)",
        arg=[selector, text],
        timeout=timeout,
    )
