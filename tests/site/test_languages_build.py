"""A bilingual help center built: each article page links its translations (hreflang)."""

from __future__ import annotations

import re

import pytest

from kb.core.scaffold import init_project
from kb.plugin.builder import build_site

ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    project = tmp_path_factory.mktemp("bilingual")
    init_project(project, languages=["it", "en"])
    build_site(project / "mkdocs.yml")
    return project / "site"


def alternates(page) -> list[tuple[str, str]]:
    return ALTERNATE.findall(page.read_text(encoding="utf-8"))


def test_each_language_under_its_prefix_with_links_to_the_translation(bilingual):
    it_page = bilingual / "it/billing/richiedere-un-rimborso/index.html"
    en_page = bilingual / "en/billing/request-a-refund/index.html"
    assert alternates(it_page) == [
        ("it", "./"),
        ("en", "../../../en/billing/request-a-refund/"),
        ("x-default", "./"),
    ]
    assert alternates(en_page) == [
        ("it", "../../../it/billing/richiedere-un-rimborso/"),
        ("en", "./"),
        ("x-default", "../../../it/billing/richiedere-un-rimborso/"),
    ]
    # the untranslated sample links nowhere
    assert alternates(bilingual / "it/troubleshooting/fatture-non-recapitate/index.html") == []


def test_one_language_site_has_no_alternates(tmp_path):
    init_project(tmp_path, "en")
    build_site(tmp_path / "mkdocs.yml")
    assert alternates(tmp_path / "site/billing/request-a-refund/index.html") == []
