"""A bilingual help center as readers get it: every language's text searchable and known to
the API, though translations share the article's id."""

from __future__ import annotations

import json
import re

import pytest
from kb.feedback_api import create_app
from kb.feedback_api.db import get_engine
from kb.search.index import open_published
from kb.search.service import SearchService

from kb.core.scaffold import init_project
from kb.plugin.builder import build_site
from kb.store.votes import iter_votes

REFUND = "richiedere-un-rimborso-3d6e58"
IT_REFUND = "it/billing/richiedere-un-rimborso/"
EN_REFUND = "en/billing/request-a-refund/"


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    project = tmp_path_factory.mktemp("bilingual-readers")
    init_project(project, languages=["it", "en"])
    build_site(project / "mkdocs.yml")
    return project / "site"


def manifest(site) -> list[dict]:
    return json.loads((site / "_kb" / "manifest.json").read_text("utf-8"))["articles"]


def test_the_search_index_holds_every_language_s_text(bilingual):
    entries = manifest(bilingual)
    ix = open_published(bilingual)
    with ix.searcher() as s:
        indexed = sorted((f["id"], f["lang"], f["url"]) for f in s.all_stored_fields())
    assert indexed == sorted((e["id"], e["lang"], e["url"]) for e in entries)
    assert len(indexed) == 21  # 11 Italian texts, 10 English (one sample is untranslated)


def test_search_answers_in_the_reader_s_language(bilingual):
    svc = SearchService(bilingual)
    [it] = [r for r in svc.search("rimborso", "it")["results"] if r["id"] == REFUND]
    assert (it["url"], it["title"], it["lang"]) == (IT_REFUND, "Posso avere un rimborso?", "it")
    first = svc.search("refund", "en")["results"][0]
    assert (first["id"], first["url"], first["lang"]) == (REFUND, EN_REFUND, "en")


def test_related_articles_stay_in_the_page_s_language(bilingual):
    for page, prefix in ((IT_REFUND, "it/"), (EN_REFUND, "en/")):
        html = (bilingual / page / "index.html").read_text("utf-8")
        block = html[html.index("data-kb-related") :]
        block = block[: block.index("</nav>")]
        links = re.findall(r'href="([^"]+)"', block)
        assert links, page
        for href in links:  # relative to the page: ../x/ stays inside its language
            assert not href.startswith("../../../"), (page, href)
        titles = re.findall(r"<a [^>]*>([^<]+)</a>", block)
        others = {e["title"] for e in manifest(bilingual) if not e["url"].startswith(prefix)}
        assert not set(titles) & others, (page, titles)


def test_a_vote_without_javascript_goes_back_to_its_own_language(bilingual, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": bilingual,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
        }
    )
    client = app.test_client()
    by_lang = {e["lang"]: e for e in manifest(bilingual) if e["id"] == REFUND}
    try:
        for lang, url in (("it", IT_REFUND), ("en", EN_REFUND)):
            response = client.post(
                "/api/v1/feedback", data={"article": REFUND, "csat": "4", "lang": lang}
            )
            assert response.status_code == 303
            assert response.headers["Location"].startswith(f"/{url}?")
        votes = sorted(iter_votes(get_engine(app)), key=lambda v: v["lang"])
        assert [(v["lang"], v["revision"]) for v in votes] == [
            ("en", by_lang["en"]["revision"]),
            ("it", by_lang["it"]["revision"]),
        ]
        assert by_lang["en"]["revision"] != by_lang["it"]["revision"]
    finally:
        get_engine(app).dispose()


def html(site, page: str) -> str:
    return (site / page / "index.html").read_text("utf-8")


SWITCH = re.compile(
    r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+" class="md-select__link[^"]*"\s*'
    r'data-kb-switch="\w+"( aria-current="page")?( data-kb-missing)?'
)


def switcher(site, page: str) -> list[tuple[str, str, bool]]:
    """(language, where it goes, from the page's folder; missing?) of the header's switcher."""
    return [
        (lang, href, bool(missing))
        for href, lang, _cur, missing in SWITCH.findall(html(site, page))
    ]


def test_the_root_lists_the_languages_and_a_script_picks_one(bilingual):
    root = html(bilingual, ".")
    assert re.findall(r'<a href="([^"]+)" hreflang="(\w+)"[^>]*data-kb-language', root) == [
        ("it/", "it"),
        ("en/", "en"),
    ]
    assert re.search(r'<script src="assets/kb/languages\.[0-9a-f]{8}\.js">', root)
    script = (bilingual / "assets/kb/languages.js").read_text("utf-8")
    assert "navigator.languages" in script and "location.replace" in script


def test_each_language_has_its_own_home_and_categories(bilingual):
    for lang, title in (("it", "Fatturazione"), ("en", "Billing")):
        home = html(bilingual, lang)
        assert f'<html lang="{lang}"' in home
        cats = re.findall(r'data-kb-category="([^"]+)"', home)
        assert cats and all(c.startswith(f"{lang}/") for c in cats), cats
        assert f">{title}</a>" in home
        category = html(bilingual, f"{lang}/billing")
        assert re.search(r'class="kb-breadcrumbs".*?<a href="\.\./">', category, re.S)


def test_the_switcher_goes_to_the_same_article_in_the_other_language(bilingual):
    assert switcher(bilingual, IT_REFUND) == [
        ("it", "./", False),
        ("en", "../../../en/billing/request-a-refund/", False),
    ]
    assert switcher(bilingual, EN_REFUND) == [
        ("it", "../../../it/billing/richiedere-un-rimborso/", False),
        ("en", "./", False),
    ]
    # the untranslated sample: English goes to the English home, and says so
    untranslated = "it/troubleshooting/fatture-non-recapitate"
    assert switcher(bilingual, untranslated)[1] == ("en", "../../../en/", True)
    assert "non ancora tradotto: apre la pagina iniziale" in html(bilingual, untranslated)
    # a category goes to the same category
    assert switcher(bilingual, "en/billing")[0] == ("it", "../../it/billing/", False)


def test_an_outdated_translation_says_so_in_its_language_with_a_link_to_the_source(bilingual):
    outdated = [
        p.parent.relative_to(bilingual).as_posix()
        for p in bilingual.rglob("index.html")
        if "data-kb-outdated" in p.read_text("utf-8")
    ]
    assert outdated == ["en/billing/request-a-refund"]  # kb init's outdated sample
    page = html(bilingual, EN_REFUND)
    notice = re.search(r'<aside class="kb-outdated".*?</aside>', page, re.S).group(0)
    assert "This translation may be out of date: the original text changed on" in notice
    assert 'href="../../../it/billing/richiedere-un-rimborso/"' in notice
    assert "Read the original (Italiano)" in notice
    assert "data-kb-outdated" not in html(bilingual, IT_REFUND)  # the source itself


def test_each_page_speaks_its_language(bilingual):
    en, it = html(bilingual, EN_REFUND), html(bilingual, IT_REFUND)
    assert '<html lang="en"' in en and '<html lang="it"' in it
    assert 'placeholder="Search"' in en and 'placeholder="Cerca"' in it  # Material's words too
    assert ">Help center</a>" in en and ">Centro assistenza</a>" in it  # breadcrumbs
    assert 'data-lang="en"' in en and 'name="lang" value="en"' in en  # widget and search box
    assert 'name="lang" value="it"' in it
    assert "How satisfied are you with this article?" in en
    assert "Quanto sei soddisfatto di questo articolo?" in it
    for lang, word in (("it", "Passo"), ("en", "Step")):
        steps = sorted(
            re.search(r'kb-article-meta__step">([^<]+)<', p.read_text("utf-8")).group(1)
            for p in (bilingual / lang / "getting-started").glob("*/index.html")
        )
        assert steps == [
            f"{word} {n} di 3" if lang == "it" else f"{word} {n} of 3" for n in (1, 2, 3)
        ]
