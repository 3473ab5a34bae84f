"""Images outside the articles folder: a broken image, never a stopped build or a copied file.

Articles copied from a repository whose folder had another name (Adobe's ``help/``) keep
images such as ``../help/assets/cover.jpg``: ``kb check`` warns (an error with ``--strict``),
``kb build`` goes on and copies nothing from outside.
"""

from __future__ import annotations

import shutil

import pytest

from kb.cli import main
from kb.core import checks
from kb.core.helpcenter import load_help_center
from tests.helpers import ROOT, require, write_article

ADOBE = ROOT.parent / "shared" / "corpora" / "adobe-commerce-kb-en" / "help"
COVER = "../help/assets/cover.jpg"
FINDING = f"articles/overview.md:7: %s: broken image: '{COVER}' points outside the articles folder"


@pytest.fixture
def outside_image(project):
    """An article whose image points at a file next to the articles folder, which exists."""
    (project / "help" / "assets").mkdir(parents=True)
    (project / "help" / "assets" / "cover.jpg").write_bytes(b"OUTSIDE-IMAGE")
    write_article(
        project,
        "overview.md",
        f"---\ntitle: Overview\nid: overview-1\n---\n# Overview\n\n![Cover]({COVER})\n",
    )
    return project


def test_check_warns(outside_image, runner):
    result = runner.invoke(main, ["check"])
    assert FINDING % "warning" in result.output, result.output
    assert result.exit_code == 0, result.output


def test_check_strict_makes_it_an_error(outside_image, runner):
    result = runner.invoke(main, ["check", "--strict"])
    assert FINDING % "error" in result.output, result.output
    assert result.exit_code == 1


def test_build_goes_on_and_copies_nothing_from_outside(outside_image, runner):
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    site = outside_image / "site"
    assert (site / "overview" / "index.html").exists()
    assert not any(b"OUTSIDE-IMAGE" in p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert not list(site.rglob("cover.jpg"))


def test_build_strict_stops_on_it(outside_image, runner):
    result = runner.invoke(main, ["build", "--strict"])
    assert result.exit_code == 1
    assert "strict mode" in result.output, result.output  # MkDocs's own warning of the image


def test_the_finding_does_not_block_but_a_link_out_does(outside_image):
    docs = outside_image / "articles"
    write_article(
        outside_image, "out.md", "---\ntitle: Out\nid: out-1\n---\n[x](../../secret.md)\n"
    )
    hc = load_help_center(docs, ["overview.md", "out.md"], with_git=False)
    findings = checks.check_help_center(
        hc, docs, ["overview.md", "out.md"], skip=checks.BUILD_SKIPS
    )
    image = next(f for f in findings if f.path == "overview.md" and "image" in f.message)
    link = next(f for f in findings if f.path == "out.md")
    assert (image.level, image.blocking) == ("warning", False)
    assert (link.level, link.blocking) == ("error", True)
    assert checks.blocking(findings) == [link]
    assert set(checks.blocking(findings, strict=True)) == set(findings)


@pytest.mark.slow
def test_adobe_commerce_kb_copied_into_articles_builds(project, runner):
    require(ADOBE.is_dir(), f"the Adobe Commerce KB corpus is not at {ADOBE}")
    shutil.rmtree(project / "articles")
    shutil.copytree(ADOBE, project / "articles")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    site = project / "site"
    assert (site / "overview" / "index.html").exists()
    assert len(list(site.rglob("index.html"))) > 200
    check = runner.invoke(main, ["check"])
    assert "articles/overview.md:14: warning: broken image: '../help/assets/" in check.output
