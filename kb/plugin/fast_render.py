"""Render pages with one reused Markdown converter per build instead of one per page.

MkDocs' ``Page.render`` builds a new ``markdown.Markdown`` (every extension set up again,
pymdownx's settings deep-copied) for each page: about 0.5-1 ms a page, a tenth of a
1,000-article build. Python-Markdown supports reusing a converter with ``reset()``, which
is what this does; the page-specific MkDocs processors are registered again for each page
exactly as ``Page.render`` does (a registration replaces the one of the same name).

This copies a few lines of MkDocs 1.6's ``Page.render``; when MkDocs' internals differ
(another version), :func:`renderer` returns None and pages render the standard way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import markdown

try:  # MkDocs 1.6 internals; anything else falls back to MkDocs' own render
    from mkdocs.structure import pages as _pages
    from mkdocs.structure.toc import get_toc

    _PARTS = (
        _pages._RawHTMLPreprocessor,
        _pages._ExtractAnchorsTreeprocessor,
        _pages._RelativePathTreeprocessor,
        _pages._ExtractTitleTreeprocessor,
    )
except (ImportError, AttributeError):  # pragma: no cover - depends on the MkDocs version
    _PARTS = None


class ConverterPool:
    """One Markdown converter for the pages of one build (one configuration)."""

    def __init__(self) -> None:
        self.key: object = None
        self.md: markdown.Markdown | None = None

    def get(self, config) -> markdown.Markdown:
        key = id(config)
        if self.md is None or self.key != key:
            self.md = markdown.Markdown(
                extensions=config["markdown_extensions"],
                extension_configs=config["mdx_configs"] or {},
            )
            self.key = key
        else:
            self.md.reset()
        return self.md


def renderer(pool: ConverterPool) -> Callable | None:
    """A ``render(page, config, files)`` for :meth:`Page.render`, or None (unsupported)."""
    if _PARTS is None:
        return None
    raw_html, anchors, relative, title = _PARTS

    def render(page, config, files) -> None:
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = pool.get(config)
        raw_html_ext = raw_html()
        raw_html_ext._register(md)
        extract_anchors_ext = anchors(page.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = relative(page.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = title()
        extract_title_ext._register(md)

        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = extract_title_ext.title
        page.present_anchor_ids = (
            extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        )
        if _pages.log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_path_ext.links_to_anchors

    return render
