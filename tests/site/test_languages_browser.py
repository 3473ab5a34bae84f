"""A bilingual help center in a real Chromium: a slice of the Adobe Commerce knowledge base in
English and its Italian translation (tests/fixtures/corpora/adobe-commerce-kb-en and -it,
same paths; their SOURCE.md names the repositories), built with ``languages: [en, it]`` and
served with its API on kb serve's single port.

Two Italian files are removed, so two articles exist only in English; one Italian text is
made from an earlier English text (its ``source_revision``), so it is out of date. Screenshots
go to kb-languages-*.png in the screenshot folder (tests/helpers.py), for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from pathlib import Path

import pytest
import yaml

from kb.plugin.builder import build_site
from tests.helpers import FIXTURES, SCREENSHOTS, serving_with_api

pytestmark = pytest.mark.browser

SLICES = FIXTURES / "corpora"
GENERAL = "how-to/general"
ONLY_EN = (  # Italian texts removed: these articles exist only in English
    f"{GENERAL}/change-magento-admin-password-on-cloud.md",
    f"{GENERAL}/check-logs-to-troubleshoot-500-and-503-errors-on-magento.md",
)
OUTDATED = f"{GENERAL}/reset-environment-on-cloud.md"
EARLIER = "---\ntitle: Reset environment\n---\n\n# Reset environment\n\nRun the rollback script.\n"
INPUT = '[data-md-component="search-query"]'
RESULT = "a[data-kb-search-result]"


def make_project(root: Path) -> Path:
    for lang in ("en", "it"):
        shutil.copytree(
            SLICES / f"adobe-commerce-kb-{lang}" / "docs" / "help", root / "articles" / lang
        )
    for rel in ONLY_EN:
        (root / "articles" / "it" / rel).unlink()
    conf = {
        "site_name": "Adobe Commerce Help",
        "docs_dir": "articles",
        "site_dir": "site",
        "theme": {"name": "material", "language": "en", "font": False},
        "plugins": ["search", {"kb": {"languages": ["en", "it"]}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    # The Italian reset article was translated from an earlier English text: build that
    # text once (the history records its revision), then bring back today's.
    source = root / "articles" / "en" / OUTDATED
    today = source.read_text(encoding="utf-8")
    source.write_text(EARLIER, encoding="utf-8")
    build_site(root / "mkdocs.yml")
    earlier = next(
        a["revision"]
        for a in json.loads((root / "site/_kb/manifest.json").read_text("utf-8"))["articles"]
        if a["path"] == f"en/{OUTDATED}"
    )
    source.write_text(today, encoding="utf-8")
    translation = root / "articles" / "it" / OUTDATED
    text = translation.read_text(encoding="utf-8")
    translation.write_text(text.replace("---\n", f"---\nsource_revision: {earlier}\n", 1), "utf-8")
    return root


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    """(base URL, database engine, {(id, lang): manifest entry})."""
    project = make_project(tmp_path_factory.mktemp("languages"))
    with serving_with_api(project) as (base, engine):
        manifest = project / ".kb" / "serve-site" / "_kb" / "manifest.json"
        entries = json.loads(manifest.read_text("utf-8"))["articles"]
        yield base, engine, {(e["id"], e["lang"]): e for e in entries}


def pairs(entries) -> list[str]:
    return sorted(i for i, lang in entries if lang == "it" and (i, "en") in entries)


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip().casefold()


def open_switcher(page) -> None:
    page.hover("[data-kb-switcher] button")
    page.wait_for_timeout(400)  # Material's list fades in


def test_every_pair_is_linked_both_ways(page, served):
    base, _engine, entries = served
    assert len(pairs(entries)) == 4  # six English articles, two of them not translated
    for i in pairs(entries):
        for lang in ("it", "en"):
            page.goto(base + entries[(i, lang)]["url"])
            links = page.eval_on_selector_all(
                'link[rel="alternate"][hreflang]',
                "els => els.map(e => [e.hreflang, new URL(e.href).pathname])",
            )
            assert ["it", "/" + entries[(i, "it")]["url"]] in links, (i, lang)
            assert ["en", "/" + entries[(i, "en")]["url"]] in links, (i, lang)
            assert ["x-default", "/" + entries[(i, "en")]["url"]] in links  # the source
            assert page.locator("html").get_attribute("lang") == lang


def test_the_switcher_goes_to_the_same_article_in_the_other_language(page, served):
    base, _engine, entries = served
    for n, i in enumerate(pairs(entries)):
        page.goto(base + entries[(i, "it")]["url"])
        open_switcher(page)
        if n == 0:
            page.screenshot(path=str(SCREENSHOTS / "kb-languages-switcher.png"))
        page.click('[data-kb-switch="en"]')
        page.wait_for_url(base + entries[(i, "en")]["url"], timeout=10000)
        assert heading(page) == entries[(i, "en")]["title"].casefold()
        open_switcher(page)
        page.click('[data-kb-switch="it"]')
        page.wait_for_url(base + entries[(i, "it")]["url"], timeout=10000)
        assert heading(page) == entries[(i, "it")]["title"].casefold()


def test_without_a_translation_the_switcher_says_so_and_goes_home(page, served):
    base, _engine, entries = served
    [only] = [
        e for (i, lang), e in entries.items() if lang == "en" and e["path"] == f"en/{ONLY_EN[0]}"
    ]
    page.goto(base + only["url"])
    open_switcher(page)
    italian = page.locator('[data-kb-switch="it"]')
    assert "not translated yet: opens the home page" in italian.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kb-languages-switcher-missing.png"))
    italian.click()
    page.wait_for_url(base + "it/", timeout=10000)
    assert page.locator("html").get_attribute("lang") == "it"
    cards = page.eval_on_selector_all(
        "[data-kb-category]", "els => els.map(e => e.dataset.kbCategory)"
    )
    assert cards and all(c.startswith("it/") for c in cards)


@pytest.mark.parametrize(
    ("locale", "lands"), [("it-IT", "it/"), ("en-GB", "en/"), ("de-DE", "en/")]
)
def test_the_root_opens_the_language_the_browser_prefers(browser, served, locale, lands):
    base = served[0]
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        page.goto(base)
        page.wait_for_url(base + lands, timeout=10000)
    finally:
        context.close()


def test_without_javascript_the_root_lists_the_languages(browser, served):
    base = served[0]
    context = browser.new_context(java_script_enabled=False, locale="it-IT")
    try:
        page = context.new_page()
        page.goto(base)
        assert page.url == base
        links = page.eval_on_selector_all(
            "[data-kb-languages] a",
            "els => els.map(e => [e.textContent, new URL(e.href).pathname])",
        )
        assert links == [["English", "/en/"], ["Italiano", "/it/"]]
        page.screenshot(path=str(SCREENSHOTS / "kb-languages-root.png"))
    finally:
        context.close()


def search(page, text: str) -> list[dict]:
    page.click(INPUT)
    page.fill(INPUT, "")
    page.type(INPUT, text, delay=10)
    page.locator(RESULT).first.wait_for(timeout=10000)
    time.sleep(0.3)  # the last keystroke's answer
    return page.eval_on_selector_all(
        RESULT,
        """els => els.map(e => ({path: new URL(e.href).pathname, text: e.innerText,
             lang: (e.querySelector('[data-kb-search-lang]') || {}).textContent || null}))""",
    )


def test_search_in_each_language_finds_its_own_language_s_article(page, served):
    base, _engine, entries = served
    i = next(i for i in pairs(entries) if "reset" in entries[(i, "en")]["path"])
    for lang, query in (("it", "ripristinare ambiente cloud"), ("en", "reset environment cloud")):
        page.goto(base + entries[(i, lang)]["url"])
        results = search(page, query)
        assert results[0]["path"] == "/" + entries[(i, lang)]["url"], results
        # across languages only the articles with no text in the reader's language
        only_en = {"/" + e["url"] for e in entries.values() if e["path"][3:] in ONLY_EN}
        assert {r["path"] for r in results if r["lang"]} <= only_en, results
        page.keyboard.press("Escape")


def test_an_italian_query_finds_an_article_only_in_english(page, served):
    base, _engine, entries = served
    only = next(e for (i, lang), e in entries.items() if e["path"] == f"en/{ONLY_EN[0]}")
    page.goto(base + "it/")
    results = search(page, "modifica password amministratore cloud")
    hit = next((r for r in results if r["path"] == "/" + only["url"]), None)
    assert hit is not None, results
    assert hit["lang"] == "in English"
    page.screenshot(path=str(SCREENSHOTS / "kb-languages-search-cross.png"))


def test_an_outdated_translation_says_so_with_a_link_to_the_source(page, served):
    base, _engine, entries = served
    it = next(e for e in entries.values() if e["path"] == f"it/{OUTDATED}")
    en = entries[(it["id"], "en")]
    page.goto(base + it["url"])
    notice = page.locator("[data-kb-outdated]")
    assert re.match(
        r"Questa traduzione potrebbe non essere aggiornata: il testo originale è cambiato il \d",
        notice.inner_text(),
    )
    page.screenshot(path=str(SCREENSHOTS / "kb-languages-outdated.png"))
    notice.locator("a").click()
    page.wait_for_url(base + en["url"], timeout=10000)
    assert page.locator("[data-kb-outdated]").count() == 0  # the source itself
    page.screenshot(path=str(SCREENSHOTS / "kb-languages-article-en.png"))
    for e in entries.values():  # the only outdated one
        if e["path"] != it["path"] and e["lang"] == "it":
            page.goto(base + e["url"])
            assert page.locator("[data-kb-outdated]").count() == 0, e["path"]


def test_a_vote_carries_the_page_s_language(page, served):
    base, engine, entries = served
    from kb.store.votes import iter_votes

    i = pairs(entries)[0]
    page.goto(base + entries[(i, "it")]["url"])
    page.screenshot(path=str(SCREENSHOTS / "kb-languages-article-it.png"), full_page=False)
    page.click("[data-csat='4']")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        votes = [v for v in iter_votes(engine) if v["article_id"] == i]
        if votes:
            break
        time.sleep(0.1)
    assert [(v["lang"], v["revision"], v["csat"]) for v in votes] == [
        ("it", entries[(i, "it")]["revision"], 4)
    ]
    assert uuid.UUID(votes[0]["submission"])
