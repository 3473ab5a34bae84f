"""What a site loads from other origins, so that its Content-Security-Policy allows exactly
that (``kb/core/site_headers.py`` makes the policy).

Two sources, joined:

- **the pages themselves**: every ``<script src>``, stylesheet ``<link>``, ``<img>``,
  ``<source>``, ``<iframe>`` with an absolute ``http(s)`` URL (a site's ``extra_css`` and
  ``extra_javascript`` from a CDN, Google Fonts' stylesheet, badges, emoji images);
- **what the build knows the pages' scripts will fetch** (``_kb/csp.json``, written by the
  build from ``mkdocs.yml``): Google Fonts' font files when ``theme.font`` is on, mermaid's
  script, the repository's facts (``repo_url`` on GitHub or GitLab), the API's origin, and the
  site's own ``csp: sources:`` setting, which may also relax a directive (``img-src: [https:]``).

kb itself loads nothing from another origin; these are the site's choices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kb.core import atomic

SOURCES_FILE = "csp.json"  # in the build's private folder (_kb/)
# The directives a site's sources may add to (the rest of the policy stays kb's).
DIRECTIVES = (
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "media-src",
    "frame-src",
    "worker-src",
    "form-action",
)
Sources = dict[str, list[str]]

_TAG = re.compile(rb"<(script|link|img|source|iframe|video|audio)\b([^>]*)>", re.I)
_ATTR = re.compile(rb"""\b(src|href|rel|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_KIND = {b"script": "script-src", b"img": "img-src", b"iframe": "frame-src"}
_MEDIA = (b"source", b"video", b"audio")
# A valid CSP source: a scheme ("https:"), a host source, or a quoted keyword or hash.
_SOURCE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?[\w*.-]+(?::\d+)?(?:/\S*)?"
    r"|'[\w+/=-]+')$",
    re.I,
)
# Material's bundle loads mermaid from here when a page has a diagram (class="mermaid").
MERMAID = "https://unpkg.com"
_MERMAID = re.compile(rb"""<(?:pre|div)\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bmermaid\b""", re.I)
GOOGLE_FONTS = {
    "style-src": ["https://fonts.googleapis.com"],
    "font-src": ["https://fonts.gstatic.com"],
}


def origin(url: str) -> str:
    """``https://cdn.example.com`` of an absolute http(s) URL (``//host/x`` too), else ""."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc.lower()}"
    return ""


def add(sources: Sources, directive: str, *values: str) -> Sources:
    """Add each non-empty value to ``directive`` once, in order."""
    have = sources.setdefault(directive, [])
    for value in values:
        if value and value not in have:
            have.append(value)
    return sources


def merge(*parts: Mapping[str, Iterable[str]]) -> Sources:
    out: Sources = {}
    for part in parts:
        for directive, values in part.items():
            add(out, directive, *values)
    return out


def page_sources(html: bytes) -> Sources:
    """The other origins a page loads from, by directive."""
    out: Sources = {}
    for match in _TAG.finditer(html):
        tag = match.group(1).lower()
        attrs: dict[bytes, str] = {}
        for a in _ATTR.finditer(match.group(2)):
            raw = a.group(2) if a.group(2) is not None else a.group(3) or a.group(4) or b""
            attrs[a.group(1).lower()] = raw.decode("utf-8", "replace")
        urls = [attrs.get(b"src", "")]
        urls += [part.split()[0] for part in attrs.get(b"srcset", "").split(",") if part.split()]
        if tag == b"link":
            rel = attrs.get(b"rel", "").lower().split()
            found = origin(attrs.get(b"href", ""))
            if "stylesheet" in rel:
                add(out, "style-src", found)
                if found == GOOGLE_FONTS["style-src"][0]:
                    out = merge(out, GOOGLE_FONTS)  # its stylesheet names fonts.gstatic.com
            continue
        directive = "media-src" if tag in _MEDIA else _KIND.get(tag, "img-src")
        add(out, directive, *(origin(u) for u in urls))
    if _MERMAID.search(html):  # Material's bundle loads mermaid for such a block
        add(out, "script-src", MERMAID)
    return {d: v for d, v in out.items() if v}


def setting_problems(sources: object) -> list[str]:
    """What is wrong with a site's ``csp: sources:`` setting ({directive: [source, ...]})."""
    if not isinstance(sources, Mapping):
        return ["csp: sources: must map a directive to its sources, e.g. {img-src: [https:]}"]
    out = []
    for directive, values in sources.items():
        if directive not in DIRECTIVES:
            out.append(
                f"csp: sources: unknown directive '{directive}' (one of {', '.join(DIRECTIVES)})"
            )
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            out.append(f"csp: sources: {directive}: must be a list of sources")
        else:
            for v in values:
                if not _SOURCE.match(v) or v.strip("'") in ("unsafe-eval",):
                    out.append(f"csp: sources: {directive}: '{v}' is not a source kb allows")
    return out


def write(site_dir: str | Path, sources: Sources, *, report_only: bool) -> Path:
    """The build's sources and mode, in ``<site>/_kb/csp.json``."""
    target = Path(site_dir) / "_kb" / SOURCES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_json(target, {"sources": sources, "report_only": report_only}, indent=1)


def read(site_dir: str | Path) -> tuple[Sources, bool]:
    """``(sources, report_only)`` of a built site; nothing for a site built without them."""
    try:
        data: Any = json.loads((Path(site_dir) / "_kb" / SOURCES_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}, False
    raw = data.get("sources") if isinstance(data, dict) else None
    sources = {
        d: [v for v in vs if isinstance(v, str)]
        for d, vs in (raw.items() if isinstance(raw, dict) else ())
        if d in DIRECTIVES and isinstance(vs, list)
    }
    return sources, bool(data.get("report_only")) if isinstance(data, dict) else False
