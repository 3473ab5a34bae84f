"""Imported knowledge bases: links from the site root, include partials, redirect stubs.

Real help centers written for Jekyll or DocFX link pages as ``/folder/page`` (from the site
root, without ``.md``), include partials with ``{% include x.md %}`` and keep moved pages as
``layout: redirect`` stubs. kb resolves the links to the built pages, inlines the partials and
writes each stub as a small redirect page.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

import jinja2
import jinja2.bccache
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from kb.core.errors import ContentError
from kb.core.helpcenter import PARTIAL_DIRS, read_text

_MD_ROOT_LINK = re.compile(r"(\]\(\s*<?)(/(?!/)[^)\s>]*)")
_REF_ROOT_LINK = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(/(?!/)\S*?)(>?(?:\s|$))", re.M)
_HTML_ROOT_LINK = re.compile(r"(\b(?:href|src)=[\"'])(/(?!/)[^\"']*)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def _stem(path: str) -> str:
    """``/a/b/``, ``/a/b.html``, ``/a/b/index.html``, ``/a/b.md`` -> ``a/b``."""
    stem = posixpath.normpath(path.strip("/")) if path.strip("/") else ""
    stem = "" if stem == "." else stem
    for suffix in ("index.html", ".html", ".md"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem.strip("/")


class RootLinks:
    """Resolve ``/folder/page`` links (from the site root) to the built pages."""

    def __init__(
        self,
        files: Files,
        extra: list[File] | None = None,
        permalinks: dict[str, str] | None = None,
    ) -> None:
        pages = [f for f in files if f.is_documentation_page()] + list(extra or [])
        self.by_path = {f.src_uri: f for f in pages}
        self.by_lower = {f.src_uri.lower(): f for f in pages}
        # "/help/x.md" from the repository root, when the articles folder is help/
        self.docs_name = next((Path(f.src_dir).name for f in pages if f.src_dir), "")
        # Jekyll's 'permalink:' front matter: the URL path a page claims
        self.permalinks = {
            _stem(link): self.by_path[src]
            for src, link in (permalinks or {}).items()
            if src in self.by_path
        }
        # Jekyll collections (_docs/...) are served from the site root
        tops = {p.split("/", 1)[0] for p in self.by_path if "/" in p}
        self.prefixes = [""] + sorted(
            f"{t}/" for t in tops if t.startswith("_") and t not in PARTIAL_DIRS
        )

    def find(self, path: str) -> File | None:
        stem = _stem(path)
        if stem in self.permalinks:
            return self.permalinks[stem]
        for prefix in self.prefixes:
            base = f"{prefix}{stem}".strip("/")
            names = (
                [f"{base}.md", f"{base}/index.md", f"{base}/README.md"]
                if base
                else ["index.md", "README.md"]
            )
            for name in names:
                f = self.by_path.get(name) or self.by_lower.get(name.lower())
                if f is not None:
                    return f
        if self.docs_name and stem.startswith(f"{self.docs_name}/"):
            return self.find(stem[len(self.docs_name) + 1 :])  # from the repository root
        return None

    def url_for(self, target: str, page_url: str) -> str | None:
        """A relative URL from ``page_url`` for a site-root ``target``, or None."""
        path, sep, fragment = target.partition("#")
        path = path.split("?", 1)[0]
        f = self.find(path)
        if f is not None:
            url = get_relative_url(f.url, page_url)
        elif path.strip("/") == "":  # the site's home page (kb generates it)
            url = get_relative_url(".", page_url)
            url = url if url.endswith("/") else f"{url}/"
        else:
            return None
        return f"{url}#{fragment}" if sep else url

    def rewrite(self, markdown: str, page: Page) -> str:
        """Every resolvable site-root link of ``markdown``, made relative to ``page``."""
        if "/" not in markdown or not (
            "](/" in markdown or '="/' in markdown or "='/" in markdown or "]: /" in markdown
        ):
            return markdown

        def sub(m: re.Match) -> str:
            url = self.url_for(m.group(2), page.url)
            return (
                m.group(0)
                if url is None
                else m.group(1) + url + m.group(0)[len(m.group(1)) + len(m.group(2)) :]
            )

        markdown = _MD_ROOT_LINK.sub(sub, markdown)
        markdown = _REF_ROOT_LINK.sub(sub, markdown)
        return _HTML_ROOT_LINK.sub(sub, markdown)


class Partials:
    """``{% include name %}`` partials from the includes folders, read once each."""

    def __init__(self, docs_dir: Path, paths: list[str]) -> None:
        self.docs_dir = docs_dir
        self.by_name: dict[str, str] = {}
        for p in paths:
            parts = p.split("/")
            for i, part in enumerate(parts[:-1]):
                if part in PARTIAL_DIRS:
                    self.by_name.setdefault("/".join(parts[i + 1 :]), p)
                    break
        self.cache: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        if name not in self.cache:
            path = self.by_name.get(name.lstrip("/"))
            try:
                self.cache[name] = read_text(self.docs_dir, path) if path else None
            except ContentError:
                self.cache[name] = None
        return self.cache[name]


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, for the rebuilds of one process."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


class FolderBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache that never fails a build: a folder that went away is no cache."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache(config) -> jinja2.BytecodeCache:
    """Material's templates compiled once, not at every build: in the project's ``.kb/cache``
    (ignored by git) when it can be written, else in memory. Jinja checks each template's
    source checksum, so an edited template is compiled again."""
    if config.config_file_path:
        folder = Path(config.config_file_path).resolve().parent / ".kb" / "cache" / "jinja"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return FolderBytecodeCache(str(folder))
        except OSError:
            pass
    return MemoryBytecodeCache()


REDIRECT_HTML = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title>
<link rel="canonical" href="{url}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={url}">
<script>location.replace({url_js} + location.hash)</script>
</head><body><p><a href="{url}">{title}</a></p></body></html>
"""


def write_redirects(
    redirects: dict[str, str],
    stubs: dict[str, File],
    links: RootLinks,
    site_dir: str,
    lang: str,
    title: str,
) -> int:
    """One small HTML page per redirect stub, at the stub's own URL."""
    written = 0
    for src, target in redirects.items():
        stub = stubs.get(src)
        if stub is None:
            continue
        if _SCHEME.match(target):
            url = target
        elif target.startswith("/"):
            url = links.url_for(target, stub.url)
            if url is None:  # not a page: the same path under the site root
                url = get_relative_url(target.lstrip("/") or ".", stub.url)
                url += "/" if target.endswith("/") and not url.endswith("/") else ""
        else:
            url = target
        out = Path(site_dir) / stub.dest_uri
        if out.exists():
            continue  # a real page lives there
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            REDIRECT_HTML.format(
                lang=lang,
                title=html.escape(title),
                url=html.escape(url, quote=True),
                url_js=json.dumps(url).replace("</", "<\\/"),
            ),
            encoding="utf-8",
        )
        written += 1
    return written
