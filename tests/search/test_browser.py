"""The search box in a real Chromium: Material's input answered by the kb API (site and API
on kb serve's single port), in English and Italian; Material's own search when the API is
gone. Screenshots go to kb-search-*.png in the screenshot folder (tests/helpers.py), for a
person to look at."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from kb.core.scaffold import init_project
from tests.helpers import SCREENSHOTS, serving_with_api

pytestmark = pytest.mark.browser

INPUT = '[data-md-component="search-query"]'
RESULT = "a[data-kb-search-result]"


@pytest.fixture(scope="module", params=["en", "it"])
def served(request, tmp_path_factory, browser):
    """(lang, base URL, engine): a sample help center in ``lang`` with its API, one port."""
    lang = request.param
    project = tmp_path_factory.mktemp(f"search-{lang}")
    init_project(project, lang)
    with serving_with_api(project, "kb.db") as (base, engine):
        yield lang, base, engine


# What a reader types (with a typo), the article that must come first, and its title.
CASES = {
    "en": ("pasword reset", "account/reset-your-password/", "How do I reset my password?"),
    "it": ("rimborsi annuali", "billing/richiedere-un-rimborso/", "Posso avere un rimborso?"),
}


def _type(page, text: str) -> None:
    page.click(INPUT)
    page.fill(INPUT, "")
    page.type(INPUT, text, delay=20)


def _requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


# Downloaded only when the API cannot answer (theme/assets/kb/search-index.js)
MATERIAL_SEARCH = ("/search/search_index.json", "/workers/search.")


def test_type_see_api_results_and_follow_one(page, served):
    lang, base, engine = served
    query, url, title = CASES[lang]
    seen = _requests(page)
    page.goto(base)
    _type(page, query)
    first = page.locator(RESULT).first
    first.wait_for(timeout=10000)
    assert not [u for u in seen if any(part in u for part in MATERIAL_SEARCH)]
    assert title in first.inner_text()
    assert "<mark>" in first.inner_html() or "mark" in first.inner_html()
    page.screenshot(path=str(SCREENSHOTS / f"kb-search-{lang}.png"))
    first.click()
    page.wait_for_url(f"**/{url}**", timeout=10000)
    assert page.locator("h1").first.inner_text().strip() == title

    from kb.store.tables import search_log

    def clicked():
        with engine.connect() as conn:
            return conn.execute(
                select(
                    search_log.c.query,
                    search_log.c.lang,
                    search_log.c.clicked_id,
                    search_log.c.clicked_rank,
                ).where(search_log.c.clicked_id.is_not(None))
            ).all()

    end = time.monotonic() + 10
    while not clicked() and time.monotonic() < end:
        time.sleep(0.1)
    rows = clicked()
    assert rows and rows[-1].lang == lang and rows[-1].clicked_rank == 1


def test_suggestion_for_a_typo_is_offered(page, served):
    lang, base, _engine = served
    typo = {"en": "refnd", "it": "rimborzo"}[lang]
    page.goto(base)
    _type(page, typo)
    suggestion = page.locator("[data-kb-search-suggestion]")
    suggestion.wait_for(timeout=10000)
    assert suggestion.inner_text() == {"en": "refund", "it": "rimborso"}[lang]


def test_enter_opens_the_first_result(page, served):
    lang, base, _engine = served
    query, url, _title = CASES[lang]
    page.goto(base)
    _type(page, query)
    page.locator(RESULT).first.wait_for(timeout=10000)
    page.press(INPUT, "Enter")
    page.wait_for_url(f"**/{url}**", timeout=10000)


def test_without_the_api_materials_own_search_answers(page, served):
    lang, base, _engine = served
    page.route("**/api/v1/search*", lambda route: route.abort())
    seen = _requests(page)
    page.goto(base)
    page.wait_for_load_state("networkidle")
    assert not [u for u in seen if any(part in u for part in MATERIAL_SEARCH)]
    word = {"en": "refund", "it": "rimborso"}[lang]
    _type(page, word)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    # the index and Material's worker came once the API failed (Italian: lunr's files too)
    assert all(any(part in u for u in seen) for part in MATERIAL_SEARCH)
    assert page.locator(RESULT).count() == 0
    assert page.locator('[data-md-component="search-result"]').is_visible()
