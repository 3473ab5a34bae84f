"""Minify kb's own browser assets in a built site, so readers download the small version.

The sources in ``theme/assets/kb/`` stay commented and readable; the build writes them
minified (rjsmin, rcssmin: plain-Python, no Node toolchain). The feedback widget's budget,
at most 3 KB gzipped for its script and style together, is measured on these built files.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from rcssmin import cssmin
from rjsmin import jsmin

ASSET_DIR = "assets/kb"
# Files minified on build; other kb assets may be added here.
MINIFIED = ("feedback.js", "feedback.css")
WIDGET_FILES = ("feedback.js", "feedback.css")
WIDGET_BUDGET = 3 * 1024  # bytes, gzipped, script + style


def minify(name: str, text: str) -> str:
    """``text`` of the file ``name`` minified (by its extension); unknown kinds unchanged."""
    if name.endswith(".js"):
        return jsmin(text, keep_bang_comments=False).strip() + "\n"
    if name.endswith(".css"):
        return cssmin(text).strip() + "\n"
    return text


def minify_site_assets(site_dir: str | Path) -> list[Path]:
    """Minify the files of ``MINIFIED`` under ``site_dir/assets/kb`` in place."""
    done = []
    for name in MINIFIED:
        path = Path(site_dir) / ASSET_DIR / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            small = minify(name, text)
            if small != text:
                path.write_text(small, encoding="utf-8")
            done.append(path)
    return done


def gzipped_size(data: bytes) -> int:
    """Bytes of ``data`` gzipped at the level web servers commonly use (6), no file name."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def widget_sizes(asset_dir: str | Path) -> dict[str, dict[str, int]]:
    """Raw and gzipped bytes of each widget file in ``asset_dir`` (a built site's assets/kb)."""
    out = {}
    for name in WIDGET_FILES:
        data = (Path(asset_dir) / name).read_bytes()
        out[name] = {"raw": len(data), "gzip": gzipped_size(data)}
    return out
