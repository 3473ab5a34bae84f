"""Keep a build inside its articles folder: symlinks, links and nav entries that escape it.

A help center is often built by CI from contributions. A symlinked folder (``articles/x ->
/etc``), a link to ``../../../etc/passwd`` or a nav entry ``../secret.md`` must stop the build
with the file and line, never copy or link something from outside into the public site.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kb.core import links as linkmod
from kb.core.errors import Finding

OUTSIDE = "points outside the articles folder"


def is_inside(docs_dir: Path, path: Path) -> bool:
    """Whether ``path``, with every symlink resolved, is inside ``docs_dir`` (also resolved)."""
    root = Path(os.path.realpath(docs_dir))
    real = Path(os.path.realpath(path))
    return real == root or root in real.parents


def outside_files(docs_dir: Path, paths: Iterable[str]) -> list[Finding]:
    """Files (Markdown or not) that are, or sit in a folder that is, a symlink out of docs."""
    docs_dir = Path(docs_dir)
    return [
        Finding(p, 1, "error", f"symlink {OUTSIDE}")
        for p in sorted(paths)
        if not is_inside(docs_dir, docs_dir / p)
    ]


def _path_of(target: str) -> str:
    return unquote(urlsplit(target).path).replace("\\", "/")


def _climbs(joined: str) -> bool:
    normal = posixpath.normpath(joined)
    return normal == ".." or normal.startswith("../")


def is_url_style(path: str) -> bool:
    """A link written to the page's URL (``../mixer/``, ``../mixer/#xr18``), not to a file:
    it ends with ``/``, or its last part has no file extension."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return path.endswith("/") or ("." not in last and last not in ("", ".."))


def page_url_dir(source: str) -> str:
    """The folder a page's relative URLs start from with directory URLs: ``a/b.md`` is
    served at ``a/b/``, ``a/index.md`` at ``a/``."""
    stem, name = posixpath.split(source)
    if name in ("index.md", "README.md"):
        return stem
    return posixpath.join(stem, posixpath.splitext(name)[0])


def escapes(target: str, source: str) -> bool:
    """Whether an internal link ``target`` in the article ``source`` climbs out of docs.

    A URL-style link is read as MkDocs' directory URLs serve it, from the page's own URL
    (``../../devices/mixer/`` in ``cable/plug.md``, served at ``cable/plug/``, is
    ``devices/mixer/``): it climbs out only if it does so both as a file path and as a URL."""
    path = _path_of(target)
    if not path:
        return False
    if "\x00" in path:
        return True
    if path.startswith("/"):
        return _climbs(path.lstrip("/"))
    if not _climbs(posixpath.join(posixpath.dirname(source), path)):
        return False
    return not is_url_style(path) or _climbs(posixpath.join(page_url_dir(source), path))


def escaping_links(articles: Iterable[Any]) -> list[Finding]:
    """Links and images whose target climbs out of the articles folder, with their lines.

    A relative image out of the folder (``../help/assets/x.png`` in articles copied from a
    repository whose folder was ``help/``) is a broken image: a warning that does not stop
    the build, and the file is never copied. A link, or an image from the site root that
    climbs above it (``/../x``), is an error that stops the build."""
    out = []
    for a in articles:
        for link in linkmod.links(a.body, a.body_line):
            if not linkmod.is_internal(link.target) or not escapes(link.target, a.path):
                continue
            path = _path_of(link.target)
            if link.image and not path.startswith("/") and "\x00" not in path:
                message = f"broken image: '{link.target}' {OUTSIDE}"
                out.append(Finding(a.path, link.line, "warning", message, blocking=False))
            else:
                what = "image" if link.image else "link"
                out.append(Finding(a.path, link.line, "error", f"{what} '{link.target}' {OUTSIDE}"))
    return out


def _nav_paths(nav: Any) -> Iterable[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_paths(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_paths(value)


def escaping_nav(nav: Any, config_file: str | Path) -> list[Finding]:
    """``nav:`` entries of mkdocs.yml that point outside the articles folder, with the line."""
    config_file = Path(config_file)
    try:
        lines = config_file.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        lines = []
    out = []
    for entry in _nav_paths(nav):
        if linkmod.is_internal(entry) and escapes(entry, "index.md"):
            line = next((i + 1 for i, text in enumerate(lines) if entry in text), 1)
            out.append(Finding(str(config_file), line, "error", f"nav entry '{entry}' {OUTSIDE}"))
    return out
