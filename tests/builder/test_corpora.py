"""Real knowledge bases build: small slices of the four corpora, as fixtures naming their source.

Each folder under tests/fixtures/corpora/ holds a SOURCE.md (repository, commit, licence) and
``docs/`` with a few files at their original paths. The full corpora are built by
``make bench`` (benchmarks/bench_corpora.py), not here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from kb.cli import main as cli
from kb.core.markdown_compat import convert_jekyll, to_mkdocs
from kb.plugin.builder import build_site
from tests.helpers import FIXTURES

CORPORA = FIXTURES / "corpora"
LANGS = {
    "adobe-commerce-kb-en": "en",
    "adobe-commerce-kb-it": "it",
    "duckduckgo-help": "en",
    "m365-alchemyinsights-it": "it",
}
FINDING = re.compile(r"^.+\.(md|yml):\d+: (error|warning): .+$")


def corpus_project(tmp_path: Path, name: str) -> Path:
    """A project whose docs_dir is the fixture slice itself (absolute path), read in place."""
    conf = {
        "site_name": name,
        "docs_dir": str((CORPORA / name / "docs").resolve()),
        "site_dir": str(tmp_path / "site"),
        "theme": {"name": "material", "language": LANGS[name]},
        "plugins": ["search", "kb"],
    }
    config = tmp_path / "mkdocs.yml"
    config.write_text(yaml.safe_dump(conf), encoding="utf-8")
    return config


@pytest.mark.parametrize("name", sorted(LANGS))
def test_fixture_names_its_source(name):
    source = (CORPORA / name / "SOURCE.md").read_text(encoding="utf-8")
    assert re.search(r"Repository: https://github\.com/\S+", source)
    assert re.search(r"Commit: [0-9a-f]{40}", source)
    assert "Licence:" in source
    listed = set(re.findall(r"^  - `(.+)`$", source, re.M))
    files = {
        p.relative_to(CORPORA / name / "docs").as_posix()
        for p in (CORPORA / name / "docs").rglob("*")
        if p.is_file()
    }
    assert listed == files


@pytest.mark.parametrize("name", sorted(LANGS))
def test_corpus_slice_builds_and_checks_cleanly(name, tmp_path, runner):
    config = corpus_project(tmp_path, name)
    result = build_site(config)
    manifest = json.loads((result.site_dir / "_kb" / "manifest.json").read_text())
    assert manifest["articles"], "no article in the manifest"
    for entry in manifest["articles"]:
        page = result.site_dir / entry["url"] / "index.html"
        html = page.read_text(encoding="utf-8")
        assert (
            entry["title"]
            in html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
            or entry["title"] in html
        )
        # nothing of the source syntax reaches the reader
        for raw in ("[!NOTE]", "[!DNL", "[!UICONTROL", "{% include", "{{ site.baseurl", "{:target"):
            assert raw not in html, (entry["path"], raw)
    # partials are not articles
    assert not [e for e in manifest["articles"] if "includes/" in e["path"]]

    out = runner.invoke(cli, ["check", "-f", str(config)])
    assert out.exception is None or isinstance(out.exception, SystemExit), out.output
    assert "Traceback" not in out.output
    lines = [ln for ln in out.output.splitlines() if ln.strip()]
    findings = [ln for ln in lines if not ln.endswith(("warning", "warnings"))]
    assert all(FINDING.match(ln) for ln in findings[:-1] if "articles checked" not in ln), findings


def test_adobe_alerts_titles_and_material_clashes(tmp_path):
    site = build_site(corpus_project(tmp_path, "adobe-commerce-kb-en")).site_dir
    page = (site / "help/how-to/general/reset-environment-on-cloud/index.html").read_text()
    assert page.count('class="admonition note"') >= 2  # ">[!NOTE]" with no space after ">"
    domain = site / "help/how-to/general/checklist-for-setting-up-a-new-domain/index.html"
    assert "<title>Checklist for setting up a new domain" in domain.read_text()
    # 'hide: true' (an Adobe key that crashes plain Material) still builds the page
    assert (site / "help/announcements/adobe-commerce-announcements/test/index.html").exists()


def test_jekyll_site_includes_links_and_redirects(tmp_path):
    site = build_site(corpus_project(tmp_path, "duckduckgo-help")).site_dir
    firefox = (site / "_docs/desktop/firefox/index.html").read_text()
    disclaimer = CORPORA / "duckduckgo-help/docs/_includes/default-search-disclaimer.md"
    first_words = " ".join(disclaimer.read_text().split()[:4])
    assert first_words.split()[0] in firefox  # the partial is inlined
    assert "footer-nav" not in firefox  # the Liquid template partial is dropped
    # "{{ site.baseurl }}/change-default-search-engine/firefox" is a link from the site root
    assert 'href="../../../_docs/' not in firefox or "change-default-search-engine" in firefox
    ai = (site / "_docs/duckai/approach-to-ai/index.html").read_text()
    assert 'target="_blank"' in ai and 'rel="noopener noreferrer"' in ai
    assert 'href="../../privacy-pro/privacy-pro-index/"' in ai  # via its permalink: /privacy-pro/
    assert not (site / "_includes").exists()
    # redirect stubs: a redirect page at their own URL, no article
    stub = (site / "_docs/add-ons/safari-12/index.html").read_text()
    assert 'http-equiv="refresh"' in stub and 'url=../../../"' in stub
    other = (site / "_docs/desktop/other-browsers/index.html").read_text()
    assert 'url=../adding-duckduckgo-to-your-browser/"' in other
    manifest = json.loads((site / "_kb/manifest.json").read_text())
    assert "_docs/add-ons/safari-12.md" not in {e["path"] for e in manifest["articles"]}


def test_docfx_corpus_in_italian_without_its_includes(tmp_path):
    site = build_site(corpus_project(tmp_path, "m365-alchemyinsights-it")).site_dir
    html = (site / "AlchemyInsights/401-unauthorized-error-sharepoint/index.html").read_text()
    assert 'lang="it"' in html and "Errore 401 Non autorizzato in SharePoint" in html
    assert not (site / "AlchemyInsights/includes").exists()  # a DocFX partial, not a page
    assert (site / "AlchemyInsights/commercial-dialogues/add-a-subdomain/index.html").exists()


def test_kramdown_and_liquid_conversions():
    text = (
        '[a]({{ site.baseurl }}/x){:target="\\_blank"}{:rel="noopener"}\n\n'
        "-   TOC\n{:toc}\n\n| a | {::nomarkdown}<b>x</b>{:/} |\n\n"
        "{% include part.md %}\n\n```\n{% raw %}\n```\n"
    )
    out = convert_jekyll(text, {"part.md": "Ask **us**.\n"}.get)
    assert '[a](/x){: target="_blank" rel="noopener" }' in out
    assert "{:toc}" not in out and "TOC" not in out
    assert "| a | <b>x</b> |" in out
    assert "Ask **us**." in out
    assert "```\n{% raw %}\n```" in out  # code is left alone
    assert to_mkdocs(">[!NOTE]\n>Careful.\n").startswith('!!! note "Note"')


def test_a_huge_flat_category_gets_numbered_pages(tmp_path):
    """Like the 2,829 articles of one m365 folder: category pages stay small."""
    from benchmarks.synth import write_articles

    plan = write_articles(tmp_path / "articles", 35, categories=1)  # 5 guide steps + 30
    folder = plan[0].category
    conf = {
        "site_name": "Big",
        "docs_dir": "articles",
        "site_dir": "site",
        "theme": {"name": "material"},
        "plugins": ["search", {"kb": {"category_page_size": 10}}],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    site = build_site(tmp_path / "mkdocs.yml").site_dir
    pages = [
        site / folder / "index.html",
        site / folder / "page/2/index.html",
        site / folder / "page/3/index.html",
    ]
    html = [p.read_text() for p in pages]
    assert not (site / folder / "page/4").exists()
    assert "Page 1 of 3" in html[0] and 'rel="next" href="page/2/"' in html[0]
    assert "Page 2 of 3" in html[1]
    assert 'rel="prev" href="../../"' in html[1] and 'rel="next" href="../3/"' in html[1]
    assert "Page 3 of 3" in html[2] and 'rel="next"' not in html[2].split("data-kb-pager")[1]
    # each listed article on exactly one page; the guide on page 1 only
    lists = [h.split("data-kb-pager")[0].split("kb-category-header")[-1] for h in html]
    slugs = {a.path.rsplit("/", 1)[1][:-3]: a for a in plan}
    per_page = [
        {s for s in slugs if f'href="{pre}{s}/"' in part}
        for pre, part in zip(("", "../../", "../../"), lists, strict=True)
    ]
    assert [len(p) for p in per_page] == [15, 10, 10]  # page 1: 5 steps + 10
    listed = set().union(*per_page)
    assert listed == set(slugs)
    steps = {s for s, a in slugs.items() if a.type == "onboarding"}
    assert steps <= per_page[0] and not steps & (per_page[1] | per_page[2])
    assert not per_page[1] & per_page[2] and not (per_page[0] - steps) & per_page[1]
