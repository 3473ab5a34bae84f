"""From an article to what search indexes: plain text split into sections with anchors."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from kb.search.analysis import clean

from kb.core.content import Article, clean_heading
from kb.core.links import headings

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEF = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*\S+.*$")  # not a footnote's text
_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"<[^>]+>")
_ATTRS = re.compile(r"\{\s*[:#.][^}]*\}")  # attribute lists: {.md-button}, { .md-button #id }
# Block markers of Python-Markdown's extensions, whose title alone is text: admonitions
# (!!! note "Title"), collapsible details (??? tip, ???+ tip) and content tabs (=== "Tab").
_BLOCK_MARKER = re.compile(
    r'^(\s*)(?:(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+(?:inline|end))*|===\+?)\s*(?:"([^"]*)")?\s*$',
    re.M,
)
# A table's rule line (| --- | :---: |) and the snippets extension's include lines (--8<--).
_TABLE_RULE = re.compile(r"^[\s|:]*-{2,}[\s|:-]*\|[\s|:-]*$|^\s*\|?\s*:?-{3,}:?\s*\|\s*$", re.M)
_SNIPPET = re.compile(r"^\s*-{1,2}8<-{1,2}.*$", re.M)
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\](?::\s*)?")  # [^1] and a definition's "[^1]: "
_ICON = re.compile(r":(?:material|fontawesome|octicons|simple)-[\w-]+:")  # :material-github:
_ALERT = re.compile(r"^\s*>\s*\[!\w+\]\s*", re.I)
_MARKUP = re.compile(r"[*_`>|#~]+|^\s*[-+]\s+|^\s*\d+\.\s+|^\s*:::?.*$|^\s*-{3,}\s*$", re.M)
_SPACES = re.compile(r"[ \t\r\f\v]+")
# A space the removed markup or HTML left before a punctuation mark or after an opening
# bracket ("**API keys**." would read "API keys ." in a snippet).
_LOOSE_PUNCT = re.compile(r" +(?=[.,;:!?)\]])|(?<=[(\[]) +")


@dataclass
class Section:
    anchor: str  # "" for the text before the first heading
    heading: str
    text: str


@dataclass
class SearchDoc:
    """One article as the index sees it."""

    id: str
    path: str
    url: str
    lang: str
    type: str
    title: str
    summary: str
    tags: list[str]
    sections: list[Section] = field(default_factory=list)
    revision: str = ""
    # What the index knows this text by: the article's id, or, for a text in another than
    # the default language of a help center in several languages, ``<id>@<lang>``
    # (kb.core.translations.history_key), so translations sharing an id never collide.
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.id

    @property
    def headings_text(self) -> str:
        return "\n".join(s.heading for s in self.sections if s.heading)

    @property
    def body_text(self) -> str:
        return "\n".join(s.text for s in self.sections)

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes (the article revision covers only
        title and body; summary, tags, url and language count too)."""
        raw = json.dumps(
            [
                self.revision,
                self.path,
                self.url,
                self.lang,
                self.type,
                self.title,
                self.summary,
                self.tags,
                INDEX_FORMAT,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


# Bump when what goes into a document changes, so every article is indexed again.
INDEX_FORMAT = 6


def plain_text(markdown: str) -> str:
    """Readable text of a Markdown fragment: no images, URLs, HTML or markup characters."""
    text = _BLOCK_MARKER.sub(r"\1\2", markdown)
    text = _TABLE_RULE.sub(" ", text)
    text = _SNIPPET.sub(" ", text)
    text = _FOOTNOTE.sub(" ", text)
    text = _ICON.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ATTRS.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    text = clean(text)
    lines = (_LOOSE_PUNCT.sub("", _SPACES.sub(" ", ln)).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def split_sections(body: str) -> list[Section]:
    """The body cut at each heading; anchors are the ids MkDocs gives the headings."""
    anchors = iter(headings(body))
    sections: list[Section] = []
    current = Section("", "", "")
    buf: list[str] = []
    in_fence = False

    def close() -> None:
        current.text = plain_text("\n".join(buf))
        if current.text or current.heading:
            sections.append(current)

    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            if _REF_DEF.match(line) or _ALERT.match(line) and not _ALERT.sub("", line).strip():
                continue
            m = _HEADING.match(line)
            if m:
                level, text, anchor = next(anchors, (len(m.group(1)), m.group(2), ""))
                close()
                buf = []
                if level == 1:  # the title: its text is the article's own
                    current = Section("", "", "")
                else:
                    current = Section(anchor, clean(clean_heading(text)), "")
                continue
            line = _ALERT.sub("", line)
        buf.append(line)
    close()
    return sections


LEAD_MAX = 300  # characters of the first paragraph used when an article has no summary


def lead(sections: list[Section]) -> str:
    """The article's first paragraph (help articles state the problem there), cut at a
    sentence end near LEAD_MAX characters."""
    for sec in sections:
        if sec.text:
            para = sec.text.split("\n", 1)[0]
            if len(para) <= LEAD_MAX:
                return para
            cut = para[:LEAD_MAX]
            end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
            return cut[: end + 1] if end > 80 else cut.rsplit(" ", 1)[0]
    return ""


def description(article: Article, sections: list[Section] | None = None) -> str:
    """What the article is about, in plain text: its summary (or description) front matter,
    else its lead paragraph. Search results and the page's meta description show it."""
    summary = plain_text(article.summary or "").replace("\n", " ")
    return summary or lead(split_sections(article.body) if sections is None else sections)


def from_article(article: Article, url: str, key: str = "") -> SearchDoc:
    sections = split_sections(article.body)
    summary = description(article, sections)
    return SearchDoc(
        id=article.id,
        path=article.path,
        url=url,
        lang=article.lang,
        type=article.type,
        title=clean(article.title),
        summary=summary,
        tags=[clean(t) for t in article.tags],
        sections=sections,
        revision=article.revision,
        key=key,
    )
