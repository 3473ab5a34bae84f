"""The build's part of the site's Content-Security-Policy: what ``mkdocs.yml`` says the
pages' scripts will fetch, which the pages' HTML does not show (kb/core/csp_sources.py), and
the site's own ``csp:`` setting. Written to ``<site>/_kb/csp.json`` after every build, read
by ``kb serve`` and by ``python -m kb.core.site_headers``."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

from kb.core import csp_sources
from kb.core.csp_sources import GOOGLE_FONTS, Sources, add, merge, origin

GITHUB = "https://api.github.com"  # Material shows a GitHub repository's stars and forks


def _path(item: object) -> str:
    return str(getattr(item, "path", item) or "")  # extra_javascript: a path or ExtraScript


def build_sources(config: MkDocsConfig, settings: dict, api_url: str = "") -> Sources:
    """The sources a site's configuration asks for, by directive."""
    out: Sources = {}
    for item in config.extra_css:
        add(out, "style-src", origin(_path(item)))
    for item in config.extra_javascript:
        add(out, "script-src", origin(_path(item)))
    if config.theme.get("font") is not False and config.theme.name == "material":
        out = merge(out, GOOGLE_FONTS)  # Material's default: Roboto from Google Fonts
    repo = origin(str(config.repo_url or ""))
    if repo == "https://github.com":
        add(out, "connect-src", GITHUB)
    elif repo:  # GitLab and others: their own API on the repository's host
        add(out, "connect-src", repo)
    api = origin(api_url)
    add(out, "connect-src", api)
    add(out, "form-action", api)
    return merge(out, settings.get("sources") or {})


def post_build(plugin, config: MkDocsConfig) -> None:
    """Write the build's sources and the report-only mode next to the manifest."""
    csp = plugin.config.csp
    sources = build_sources(config, {"sources": csp.sources}, plugin.config.api_url)
    csp_sources.write(config.site_dir, sources, report_only=csp.report_only)
