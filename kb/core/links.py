"""Links, images and heading anchors found in an article's Markdown, with their lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown.extensions.toc import slugify as toc_slugify

from kb.core.content import clean_heading, code_lines

_INLINE_CODE = re.compile(r"`+[^`]*`+")
_LINK = re.compile(
    r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]"  # [text], one level of nested brackets
    r"\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"  # (target "optional title")
)
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_IMG_TAG = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)
_A_TAG = re.compile(r"<a\b[^>]*\bhref=[\"']([^\"']+)[\"']", re.I)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_CUSTOM_ID = re.compile(r"\{[^}]*#([\w-]+)[^}]*\}\s*$")
_HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=[\"']([^\"']+)[\"']", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


@dataclass(frozen=True)
class Link:
    target: str
    line: int
    image: bool


def _prose_lines(body: str, first_line: int):
    for i, (line, in_code) in enumerate(code_lines(body.split("\n"))):
        if not in_code:
            yield first_line + i, line


def links(body: str, first_line: int = 1) -> list[Link]:
    """Every link and image target in ``body`` (outside code), with its file line."""
    found = []
    for lineno, line in _prose_lines(body, first_line):
        text = _INLINE_CODE.sub("", line)
        for m in _LINK.finditer(text):
            found.append(Link(m.group(2), lineno, m.group(1) == "!"))
        ref = _REF_DEF.match(text)
        if ref:
            found.append(Link(ref.group(1), lineno, False))
        for m in _IMG_TAG.finditer(text):
            found.append(Link(m.group(1), lineno, True))
        for m in _A_TAG.finditer(text):
            found.append(Link(m.group(1), lineno, False))
    return found


def is_internal(target: str) -> bool:
    return not _SCHEME.match(target) and not target.startswith("{")


def anchors(body: str) -> set[str]:
    """The ids MkDocs gives the article's headings (and explicit HTML anchors)."""
    ids: set[str] = set()
    seen: dict[str, int] = {}
    for _lineno, line in _prose_lines(body, 1):
        for m in _HTML_ANCHOR.finditer(line):
            ids.add(m.group(1))
        heading = _HEADING.match(line)
        if not heading:
            continue
        custom = _CUSTOM_ID.search(heading.group(2))
        if custom:
            ids.add(custom.group(1))
            continue
        slug = toc_slugify(clean_heading(heading.group(2)), "-")
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}_{seen[slug]}"
        else:
            seen[slug] = 0
        ids.add(slug)
    return ids


def headings(body: str) -> list[tuple[int, str, str]]:
    """``(level, text, anchor)`` of every heading, for search and tables of contents."""
    out = []
    seen: dict[str, int] = {}
    for _lineno, line in _prose_lines(body, 1):
        m = _HEADING.match(line)
        if not m:
            continue
        text = clean_heading(m.group(2))
        custom = _CUSTOM_ID.search(m.group(2))
        slug = custom.group(1) if custom else toc_slugify(text, "-")
        if not custom:
            if slug in seen:
                seen[slug] += 1
                slug = f"{slug}_{seen[slug]}"
            else:
                seen[slug] = 0
        out.append((len(m.group(1)), text, slug))
    return out
