"""kb's own browser assets in a built site: minified and fingerprinted.

The sources in ``theme/assets/kb/`` stay commented and readable; the build writes them
minified (rjsmin, rcssmin: plain-Python, no Node toolchain), under their own name and under a
fingerprinted one (``kb.<hash>.css``, the hash of the minified text) that the pages link to,
so a browser or CDN may keep them for a year (kb/core/delivery.py) and a new build's change
still reaches every reader at once. The feedback widget's budget, at most 3.5 KB gzipped for
its script and style together (the view beacon and contact support included), is measured
on these built files.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.structure.files import Files
from rcssmin import cssmin
from rjsmin import jsmin

from kb.core.delivery import gzip_body

ASSET_DIR = "assets/kb"
# Files minified and fingerprinted on build; other kb assets may be added here.
OWN = tuple(
    f"{ASSET_DIR}/{name}"
    for name in (
        "kb.css",
        "feedback.css",
        "feedback.js",
        "search.js",
        "search-index.js",
        "languages.js",
    )
)
# Beside Material's search worker (whose lunr language files it finds by relative path).
SEARCH_WORKER = "assets/javascripts/workers/kb-search.js"
# Material's worker in the page's __config: "search": "<folder>/workers/search.<hash>.min.js"
_CONFIG_WORKER = re.compile(r'("search":\s*"[^"]*?/workers/)(search\.[0-9a-f]+\.min\.js)"')
WIDGET_FILES = ("feedback.js", "feedback.css")
WIDGET_BUDGET = 3584  # bytes (3.5 KB), gzipped, script + style


def minify(name: str, text: str) -> str:
    """``text`` of the file ``name`` minified (by its extension); unknown kinds unchanged."""
    if name.endswith(".js"):
        return jsmin(text, keep_bang_comments=False).strip() + "\n"
    if name.endswith(".css"):
        return cssmin(text).strip() + "\n"
    return text


def fingerprinted(uri: str, text: str) -> str:
    """``assets/kb/kb.css`` -> ``assets/kb/kb.<8 hex digits of text's SHA-256>.css``."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    stem, dot, ext = uri.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{uri}.{digest}"


class SiteAssets:
    """kb's own assets of one build: each one's minified text and fingerprinted name."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # site path -> fingerprinted site path
        self.texts: dict[str, str] = {}  # site path -> minified text

    def collect(self, files: Files) -> None:
        """Read the assets this build copies (the project's custom_dir may override kb's)."""
        self.names, self.texts = {}, {}
        for uri in (*OWN, SEARCH_WORKER):
            f = files.get_file_from_path(uri)
            if f is None or not f.abs_src_path:
                continue
            text = minify(uri, Path(f.abs_src_path).read_text(encoding="utf-8"))
            self.names[uri], self.texts[uri] = fingerprinted(uri, text), text

    def url(self, uri: str) -> str:
        """The path a page links to for ``uri`` (unknown files unchanged)."""
        return self.names.get(uri, uri)

    def lazy_search_worker(self, html: str) -> str:
        """``html`` with Material's search worker replaced by kb's, which loads Material's
        only once there is an index to search (theme/assets/javascripts/workers/kb-search.js)."""
        stub = self.names.get(SEARCH_WORKER)
        if stub is None:
            return html
        name = stub.rsplit("/", 1)[-1]
        return _CONFIG_WORKER.sub(lambda m: f'{m[1]}{name}?worker={m[2]}"', html, count=1)

    def write(self, site_dir: str | Path) -> list[Path]:
        """Write each asset minified, under its own and its fingerprinted name."""
        done = []
        for uri, text in self.texts.items():
            for target in (uri, self.names[uri]):
                path = Path(site_dir) / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                done.append(path)
        return done


def gzipped_size(data: bytes) -> int:
    """Bytes of ``data`` gzipped at the level web servers commonly use (6), no file name."""
    return len(gzip_body(data))


def widget_sizes(asset_dir: str | Path) -> dict[str, dict[str, int]]:
    """Raw and gzipped bytes of each widget file in ``asset_dir`` (a built site's assets/kb)."""
    out = {}
    for name in WIDGET_FILES:
        data = (Path(asset_dir) / name).read_bytes()
        out[name] = {"raw": len(data), "gzip": gzipped_size(data)}
    return out
