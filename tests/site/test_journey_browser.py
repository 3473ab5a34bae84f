"""The reader's journey in a real Chromium, against the real API on kb serve's single port:
an article opened from kb's search reports its view as arrived from that search, following
"contact support" records the contact and opens the support site with what the reader tried;
without an API the pages still work and nothing is counted.

The browser announces an ordinary desktop user agent: headless Chromium's own says
"HeadlessChrome", which the API, rightly, does not count.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, select

from kb.core.scaffold import init_project
from kb.store.tables import contacts, search_log, view_counts, view_ids, view_readers
from tests.helpers import SCREENSHOTS, serving_with_api
from tests.site.test_widget_browser import configure

pytestmark = pytest.mark.browser

ARTICLE = "billing/request-a-refund/"
ARTICLE_ID = "request-a-refund-4c8e01"
TITLE = "Can I get a refund?"
SUPPORT_HOST = "https://support.example.com/"
INPUT = '[data-md-component="search-query"]'
DESKTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    """(base URL, engine): the sample help center with support_url and instant navigation."""
    project = tmp_path_factory.mktemp("journey")
    init_project(project, "en")
    configure(project)
    with serving_with_api(project) as served_:
        yield served_


@pytest.fixture
def reader(browser, served):
    """A page of a fresh browser context that looks like a person's browser, the journey's
    tables empty, and the support site answered by the test (no request leaves the machine):
    yields (page, base, engine, support URLs opened)."""
    base, engine = served
    with engine.begin() as conn:
        for table in (view_counts, view_readers, view_ids, contacts, search_log):
            conn.execute(delete(table))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=DESKTOP)
    opened: list[str] = []

    def support(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>New ticket</h1>")

    context.route(SUPPORT_HOST + "**", support)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, base, engine, opened
    context.close()
    assert errors == []  # no script failed on any page


def rows(engine, table):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def wait_for(check, page, timeout: float = 10):
    end = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < end, "timed out waiting"
        page.wait_for_timeout(50)
    return result


def arrivals(engine) -> dict[tuple[str, str], int]:
    return {(r["article_id"], r["arrival"]): r["views"] for r in rows(engine, view_counts)}


def open_search(page):
    """Open the search overlay. Right after Material swaps a page in, a first click on the
    search box can be undone while the swap settles: click again until the overlay is open."""
    page.wait_for_load_state("networkidle")
    for _ in range(5):
        page.locator(INPUT).blur()  # Material opens the overlay on the box's focus
        page.click(INPUT)
        for _ in range(20):
            if page.evaluate("document.getElementById('__search').checked"):
                return
            page.wait_for_timeout(50)
    raise AssertionError("the search overlay did not open")


def test_search_view_vote_and_contact_support(reader):
    page, base, engine, opened = reader
    page.goto(base + ARTICLE)  # typed in, or from another site: from outside
    wait_for(lambda: arrivals(engine).get((ARTICLE_ID, "external")) == 1, page)
    # Material takes over links only once it has the site's sitemap.xml (fetched after load)
    page.wait_for_load_state("networkidle")
    related = page.locator("[data-kb-related] a").first
    other = related.get_attribute("href")
    related.click()  # another article, from this one (Material swaps the page, no reload)
    page.wait_for_url(f"**{other.strip('.')}")
    wait_for(lambda: [k for k in arrivals(engine) if k[1] == "article"], page)
    [(other_id, _)] = [k for k in arrivals(engine) if k[1] == "article"]
    assert other_id != ARTICLE_ID

    open_search(page)
    page.fill(INPUT, "refund annual plan")  # one search (typing sends one per pause)
    first = page.locator("a[data-kb-search-result]").first
    first.wait_for(timeout=10000)
    token = parse_qs(urlsplit(first.get_attribute("href")).query)["kb_search"][0]
    assert first.get_attribute("data-id") == ARTICLE_ID
    first.click()
    wait_for(lambda: arrivals(engine).get((ARTICLE_ID, "search")) == 1, page)
    assert "kb_search" not in page.url  # the token left the address bar at once
    assert arrivals(engine) == {
        (ARTICLE_ID, "external"): 1,
        (other_id, "article"): 1,
        (ARTICLE_ID, "search"): 1,
    }
    readers = [r for r in rows(engine, view_readers) if r["article_id"] == ARTICLE_ID]
    assert len(readers) == 1  # two views of one reader on one day: one unique reader

    support = page.locator("a[data-kb-contact]")
    assert support.is_visible() and support.count() == 1  # always offered, once
    assert "md-button" not in (support.get_attribute("class") or "")
    page.click("[data-csat='1']")
    page.wait_for_selector("a[data-kb-contact].md-button")  # prominently, after a low score
    page.click("[data-ces='2']")
    wait_for(lambda: [r for r in rows(engine, search_log) if r["outcome"] == "unsatisfied"], page)
    page.locator("[data-kb-feedback]").screenshot(path=str(SCREENSHOTS / "kb-journey-low.png"))

    support.click()
    page.wait_for_url(SUPPORT_HOST + "**")
    [url] = opened
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "source": ["kb"],
        "article": [ARTICLE_ID],
        "title": [TITLE],
        "q": ["refund annual plan"],
        "csat": ["1"],
        "ces": ["2"],
    }
    [contact] = wait_for(lambda: rows(engine, contacts), page)
    assert (contact["article_id"], contact["search"], contact["query"]) == (
        ARTICLE_ID,
        token,
        "refund annual plan",
    )
    assert (contact["csat"], contact["ces"], contact["lang"]) == (1, 2, "en")
    assert contact["revision"] and contact["visitor"]
    [logged] = [r for r in rows(engine, search_log) if r["token"] == token]
    assert logged["outcome"] == "contact"  # no later vote overrides it


def test_without_an_api_pages_work_and_count_nothing(reader):
    page, base, engine, opened = reader
    page.route("**/api/v1/**", lambda route: route.abort())  # a static-only deployment
    page.goto(base + ARTICLE)
    page.click("[data-csat='2']")
    page.locator("[data-kb-support] a[data-kb-contact]").click()
    page.wait_for_url(SUPPORT_HOST + "**")
    [url] = opened
    query = parse_qs(urlsplit(url).query)
    assert query == {"source": ["kb"], "article": [ARTICLE_ID], "title": [TITLE], "csat": ["2"]}
    assert rows(engine, view_counts) == [] and rows(engine, contacts) == []
