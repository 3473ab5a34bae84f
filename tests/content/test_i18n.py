"""Every string kb adds to the site exists in English and Italian, and an Italian site has
no English left in kb's parts."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb import theme_dir
from kb.core.i18n import STRINGS, format_date, translate
from kb.core.scaffold import init_project
from kb.plugin.builder import build_site

KB_TEMPLATES = list(theme_dir().rglob("*.html"))


def test_every_key_exists_in_both_languages():
    assert sorted(set(STRINGS["en"]) - set(STRINGS["it"])) == []
    assert sorted(set(STRINGS["it"]) - set(STRINGS["en"])) == []


def test_placeholders_match_between_languages():
    for key, english in STRINGS["en"].items():
        italian = STRINGS["it"][key]
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", italian)), key


def test_every_key_the_templates_use_exists():
    used = set()
    for path in KB_TEMPLATES:
        used |= set(re.findall(r"kb_t\(\s*'([\w.]+)'\s*[,)]", path.read_text()))
    assert used, "no kb_t() call found in the templates"
    assert sorted(used - set(STRINGS["en"])) == []


def test_translate_fills_values_and_falls_back_to_english():
    assert translate("it", "article.step", n=2, m=3) == "Passo 2 di 3"
    assert translate("fr", "article.step", n=2, m=3) == "Step 2 of 3"
    assert translate("it", "no.such.key") == "no.such.key"


def test_dates_are_written_the_local_way():
    import datetime as dt

    day = dt.date(2026, 3, 5)
    assert format_date(day, "it") == "5 marzo 2026"
    assert format_date(day, "en") == "March 5, 2026"


def english_only_strings():
    """kb's English strings that differ from their Italian translation, as regexes."""
    patterns = []
    for key, english in STRINGS["en"].items():
        if english == STRINGS["it"][key]:
            continue  # e.g. "FAQ" is the same word in both
        parts = [re.escape(p) for p in re.split(r"{\w+}", english)]
        patterns.append((key, re.compile(r"\b" + r".+?".join(parts) + r"(?!\w)")))
    return patterns


@pytest.fixture(scope="module")
def italian_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("it")
    init_project(root, "it")
    build_site(root / "mkdocs.yml")
    return root / "site"


def visible_text_and_labels(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    shown = ("aria-label", "title", "placeholder", "alt")
    labels = [
        value
        for tag in soup.find_all(True)
        for name, value in tag.attrs.items()
        if name in shown or name.startswith("data-kb-t")
    ]
    return soup.get_text(" ") + "\n" + "\n".join(map(str, labels))


def test_italian_site_has_no_english_kb_string(italian_site):
    pages = sorted(italian_site.rglob("*.html"))
    assert len(pages) > 10
    patterns = english_only_strings()
    found = []
    for path in pages:
        text = visible_text_and_labels(path.read_text(encoding="utf-8"))
        found += [
            (path.relative_to(italian_site).as_posix(), key)
            for key, pattern in patterns
            if pattern.search(text)
        ]
    assert found == []


def test_italian_site_uses_materials_italian_strings(italian_site):
    html = (italian_site / "billing" / "richiedere-un-rimborso" / "index.html").read_text()
    assert 'lang="it"' in html and "Cerca" in html


def test_the_english_detector_finds_english(tmp_path):
    """Guard for the test above: on an English site the same search finds kb's strings."""
    init_project(tmp_path, "en")
    build_site(tmp_path / "mkdocs.yml")
    html = tmp_path / "site" / "getting-started" / "set-up-your-workspace" / "index.html"
    text = visible_text_and_labels(html.read_text(encoding="utf-8"))
    found = {key for key, pattern in english_only_strings() if pattern.search(text)}
    assert {"breadcrumb.home", "article.step", "article.next", "article.previous"} <= found


def literal_words(template: str) -> list[str]:
    """Words written straight into a template (outside Jinja), where kb_t should be used."""
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    # Jinja statements first: a URL built in one ("&title=" ~ ...) is not a title attribute
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    shown = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', text)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    # an element with the 'hidden' attribute is shown to no one (e.g. a honeypot field)
    text = re.sub(r"<(\w+)\b[^>]*\shidden\b[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = " ".join([re.sub(r"<[^>]*>", " ", text, flags=re.S), *shown])
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"&\w+;", " ", text))


def test_templates_write_no_words_of_their_own():
    assert literal_words('<p title="Close">{{ kb_t("x") }} Next</p>') == ["Next", "Close"]
    assert literal_words('<div hidden aria-hidden="true"><label>Bots only</label></div>') == []
    found = {p.name: words for p in KB_TEMPLATES if (words := literal_words(p.read_text()))}
    assert found == {}, "use kb_t() for these words"
