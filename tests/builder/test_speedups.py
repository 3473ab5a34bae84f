"""The build's speed-ups change nothing a reader sees (benchmarks/ measures the speed)."""

from __future__ import annotations

import os
import shutil
import time

import pytest

import kb.plugin as kb_plugin
from kb.core.helpcenter import load_help_center
from kb.plugin import fast_render
from kb.plugin.builder import build_site
from tests.helpers import write_article


def _pages(site) -> dict[str, str]:
    """Every HTML page of a site, by path (the search index's folder names differ by build)."""
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in site.rglob("*.html")
        if "_kb" not in p.parts
    }


def test_reused_markdown_converter_renders_the_same_pages(project, monkeypatch):
    fast = _pages(build_site(project / "mkdocs.yml", site_dir=project / "fast").site_dir)
    monkeypatch.setattr(kb_plugin.KbPlugin, "on_pre_page", lambda self, page, **kw: page)
    slow = _pages(build_site(project / "mkdocs.yml", site_dir=project / "slow").site_dir)
    assert fast.keys() == slow.keys() and len(fast) > 10
    for path in fast:
        assert fast[path] == slow[path], path
    assert fast_render.renderer(fast_render.ConverterPool()) is not None  # MkDocs 1.6 path


def test_second_core_head_start_gives_the_same_site(project, monkeypatch):
    """Related articles and the first search index come from a forked child in `kb build`."""
    with_child = build_site(project / "mkdocs.yml", site_dir=project / "a").site_dir
    assert (with_child / "_kb" / "search" / "CURRENT").exists()
    monkeypatch.setattr(kb_plugin, "background_hooks", [])
    shutil.rmtree(project / ".kb" / "search-index", ignore_errors=True)  # a first build again
    inline = build_site(project / "mkdocs.yml", site_dir=project / "b").site_dir
    a, b = _pages(with_child), _pages(inline)
    assert a.keys() == b.keys()
    for path in a:
        assert a[path] == b[path], path
    assert (inline / "_kb" / "search" / "CURRENT").exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_failing_child_step_is_done_by_the_parent(project, monkeypatch):
    def broken(plugin, config):
        raise RuntimeError("child step fails")

    monkeypatch.setattr(kb_plugin, "background_hooks", [broken, *kb_plugin.background_hooks])
    site = build_site(project / "mkdocs.yml").site_dir
    assert (site / "_kb" / "search" / "CURRENT").exists()
    page = (site / "billing" / "request-a-refund" / "index.html").read_text()
    assert "Can I get a refund?" in page


def test_serve_cache_reparses_only_changed_articles(project):
    docs = project / "articles"
    cache: dict = {}
    first = {a.path: a for a in load_help_center(docs, cache=cache, with_git=False).articles}
    path = write_article(
        project,
        "billing/request-a-refund.md",
        """
        ---
        id: request-a-refund-4c8e01
        title: Refunds, rewritten
        type: faq
        ---
        New text.
        """,
    )
    later = time.time() + 5  # a coarse file-system clock still sees a change
    os.utime(path, (later, later))
    second = {a.path: a for a in load_help_center(docs, cache=cache, with_git=False).articles}
    assert second["billing/request-a-refund.md"].title == "Refunds, rewritten"
    unchanged = [p for p in first if p != "billing/request-a-refund.md"]
    assert unchanged and all(second[p] is first[p] for p in unchanged)
