"""One MkDocs site built twice, without kb and with it: what a reader would see differ.

For every page of both builds: its ``<title>``, every navigation link (Material's tabs, the
site's navigation and the table of contents, title and target) and whether kb's feedback
widget is on it. ``benchmarks/bench_existing_sites.py`` and ``tests/site`` compare real sites
with it; ``with_kb`` adds kb to a site's ``mkdocs.yml`` as its users would, by one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

NAV_LINK = re.compile(r"\bmd-(nav|tabs)__link\b")
WIDGET = "data-kb-feedback"
GENERATOR = '<meta name="generator" content="mkdocs-'


class _Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.title = ""
        self.widget = False
        self._href: str | None = None
        self._text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and NAV_LINK.search(a.get("class") or ""):
            self._href, self._text = a.get("href") or "", []
        if tag == "form" and WIDGET in a:
            self.widget = True
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None
        self._in_title = False

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        if self._in_title:
            self.title += data


@dataclass(frozen=True)
class PageShape:
    title: str
    links: tuple[tuple[str, str], ...]
    widget: bool


def page_shape(html: str) -> PageShape:
    """The ``<title>``, the navigation links and the widget's presence of one built page."""
    parser = _Shape()
    parser.feed(html)
    return PageShape(parser.title, tuple(parser.links), parser.widget)


def site_pages(site: Path) -> dict[str, PageShape]:
    """Every page MkDocs rendered (it names itself in a generator tag: not the static HTML
    files a site copies, nor redirect stubs) but the 404 page, by path."""
    out = {}
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith("_kb/"):
            continue
        html = p.read_text(encoding="utf-8", errors="replace")
        if GENERATOR not in html[:4000]:
            continue
        out[rel] = page_shape(html)
    return out


@dataclass
class Comparison:
    """Two builds of one site compared page by page."""

    pages: int = 0
    only_in_one: list[str] = field(default_factory=list)  # pages one build lacks
    nav_differs: list[str] = field(default_factory=list)  # navigation links not byte-equal
    title_differs: list[str] = field(default_factory=list)  # <title> not byte-equal
    widget: list[str] = field(default_factory=list)  # pages with kb's widget

    @property
    def identical(self) -> bool:
        return not (self.only_in_one or self.nav_differs or self.title_differs)


def compare_sites(plain: Path, with_kb: Path) -> Comparison:
    a, b = site_pages(plain), site_pages(with_kb)
    out = Comparison(pages=len(a))
    out.only_in_one = sorted(set(a) ^ set(b))
    for path in sorted(set(a) & set(b)):
        if a[path].links != b[path].links:
            out.nav_differs.append(path)
        if a[path].title != b[path].title:
            out.title_differs.append(path)
    out.widget = sorted(p for p, shape in b.items() if shape.widget)
    return out


def first_difference(plain: PageShape, with_kb: PageShape) -> str:
    """The first navigation link or title that differs, as text, for a message."""
    if plain.title != with_kb.title:
        return f"<title> {plain.title!r} became {with_kb.title!r}"
    for i, (x, y) in enumerate(zip(plain.links, with_kb.links, strict=False)):
        if x != y:
            return f"link {i}: {x!r} became {y!r}"
    return f"{len(plain.links)} links became {len(with_kb.links)}"


_PLUGINS = re.compile(r"^plugins:[ \t]*(?P<rest>[^\n#]*)(?:#[^\n]*)?$", re.M)


def with_kb(config_text: str) -> str:
    """A site's ``mkdocs.yml`` with kb added as the last plugin and nothing else changed
    (the text is edited, not re-dumped: tags such as ``!!python/name`` and comments stay)."""
    m = _PLUGINS.search(config_text)
    if m is None:  # MkDocs' default plugins are [search]
        return config_text.rstrip("\n") + "\nplugins:\n  - search\n  - kb\n"
    rest = m.group("rest").strip()
    if rest.startswith("["):  # plugins: [search, ...]
        inner = rest[1:].rstrip("]").strip()
        line = f"plugins: [{inner + ', ' if inner else ''}kb]"
        return config_text[: m.start()] + line + config_text[m.end() :]
    lines = config_text[m.end() :].split("\n")[1:]
    end = 0  # the block ends before the next top-level key; blank lines after it stay after
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith((" ", "\t", "#", "-")):
            break
        if line.strip():
            end = i + 1
    items = [x for x in lines[:end] if x.lstrip().startswith("- ")]
    indent = items[0][: len(items[0]) - len(items[0].lstrip())] if items else "  "
    head = config_text[: m.end()]
    return head + "\n" + "\n".join(lines[:end] + [f"{indent}- kb"] + lines[end:])
