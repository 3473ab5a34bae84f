"""The content model: one Markdown article with its front matter, read without MkDocs."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kb.core.errors import ContentError, Finding
from kb.core.frontmatter import FrontMatterError, parse
from kb.core.vocabulary import LANG_RE

TYPES = ("faq", "onboarding", "troubleshooting", "howto")
DEFAULT_TYPE = "article"  # plain Markdown without a ``type``: a generic article
LANGS = ("en", "it")
LIST_KEYS = ("tags",)

_ATX_H1 = re.compile(r"^#(?!#)\s*(.+?)\s*#*\s*$")
_SETEXT_H1 = re.compile(r"^=+\s*$")
_HTML_TAG = re.compile(r"<[^>]+>")
_ATTR_LIST = re.compile(r"\s*\{[:#.][^}]*\}\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


def slugify(text: str, max_len: int = 60) -> str:
    """A URL- and id-safe ASCII slug: ``"Cambiare la password?"`` -> ``cambiare-la-password``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_len].rstrip("-") or "article"


def new_id(title: str) -> str:
    """A new stable article id: a readable slug plus a random suffix, never reused."""
    return f"{slugify(title, 40)}-{secrets.token_hex(3)}"


def id_from_path(path: str) -> str:
    """The id used when an article has none: its path without ``.md``."""
    return path[:-3] if path.endswith(".md") else path


def clean_heading(text: str) -> str:
    """Heading text as a reader sees it: no HTML anchors, no ``{#id}`` attribute lists."""
    text = _ATTR_LIST.sub("", text)
    text = _HTML_TAG.sub("", text)
    return text.strip()


def code_lines(lines: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """Each line, and whether it is part of a fenced code block (its fence lines included).

    As in CommonMark, a fence opens with three or more backticks or tildes (a backtick
    fence's info string has no backtick) and closes only with a line of the same character,
    at least as long as the opener: a ``~~~`` block may show ```` ``` ```` lines, and the
    reverse. A fence that is never closed runs to the end of the text."""
    fence = ""
    for line in lines:
        if fence:
            stripped = line.strip()
            if len(stripped) >= len(fence) and stripped == fence[0] * len(stripped):
                fence = ""
            yield line, True
            continue
        m = _FENCE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = m.group(1)
            yield line, True
        else:
            yield line, False


def find_h1(body: str, body_line: int) -> tuple[str | None, int]:
    """The first level-1 heading of ``body`` outside code fences, and its file line."""
    lines = body.split("\n")
    for i, (line, in_code) in enumerate(code_lines(lines)):
        if in_code:
            continue
        m = _ATX_H1.match(line)
        if m:
            return clean_heading(m.group(1)), body_line + i
        if i + 1 < len(lines) and line.strip() and _SETEXT_H1.match(lines[i + 1]):
            return clean_heading(line), body_line + i
    return None, body_line


def revision_of(title: str, body: str) -> str:
    """A short hash of the normalised text, so feedback is tied to the text it judged.

    Line endings, trailing spaces and runs of blank lines do not change the revision;
    any change a reader could see does.
    """
    lines = [ln.rstrip() for ln in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    digest = hashlib.sha256(f"{title.strip()}\n\n{text}".encode()).hexdigest()
    return digest[:12]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


@dataclass
class Article:
    """One help-center article. ``path`` is relative to the articles folder, with ``/``."""

    path: str
    id: str
    title: str
    type: str
    category: str
    lang: str
    revision: str
    body: str
    body_line: int = 1
    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    title_line: int = 1
    id_from_path: bool = False
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    owner: str | None = None
    review_by: dt.date | None = None
    step: int | None = None
    updated: dt.datetime | None = None
    findings: list[Finding] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    @property
    def is_onboarding(self) -> bool:
        return self.type == "onboarding"


def default_category(path: str) -> str:
    """The category of an article without a ``category`` key: its folder ("" at the root)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def load_article(path: str, text: str, *, default_lang: str = "en") -> Article:
    """Read one article from its text. Problems become ``findings`` on the article;
    a file that cannot be read at all raises :class:`kb.core.errors.ContentError`."""
    try:
        fm = parse(text)
    except FrontMatterError as exc:
        raise ContentError([Finding(path, exc.line, "error", exc.message)]) from None
    meta, findings = fm.data, []

    def finding(key: str | None, level: str, message: str, line: int | None = None) -> None:
        where = line if line is not None else (fm.key_lines.get(key, 1) if key else 1)
        findings.append(Finding(path, where, level, message))

    title = meta.get("title")
    title_line = fm.key_lines.get("title", 1)
    if title is not None and not isinstance(title, str):
        title = str(title)
    if not title or not title.strip():
        h1, title_line = find_h1(fm.body, fm.body_line)
        title = h1
    if not title:
        finding(None, "error", "missing title: add 'title:' to the front matter or a '# Heading'")
        title = id_from_path(path).rsplit("/", 1)[-1].replace("-", " ").capitalize()

    raw_type = meta.get("type")
    if raw_type is None:
        kind = DEFAULT_TYPE
    elif str(raw_type) in TYPES:
        kind = str(raw_type)
    else:
        finding("type", "error", f"unknown type '{raw_type}': use one of {', '.join(TYPES)}")
        kind = DEFAULT_TYPE

    raw_id = meta.get("id")
    if raw_id is None or str(raw_id).strip() == "":
        art_id, from_path = id_from_path(path), True
    else:
        art_id, from_path = str(raw_id).strip(), False
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}", art_id):
            finding(
                "id", "error", f"id '{art_id}' may only use letters, digits, '.', '_', '-', '/'"
            )
        elif any(part in ("", ".", "..") for part in art_id.split("/")):
            # ids end up in URLs and file names (exports, search index): no path tricks
            finding("id", "error", f"id '{art_id}' has an empty, '.' or '..' part between '/'")

    # The page's real language, whatever kb's words are in: votes are stored with it. A
    # site-wide language without kb's words is one warning of the site (kb/core/i18n.py).
    lang = str(meta.get("lang") or default_lang).strip().lower()
    if not LANG_RE.match(lang):
        finding("lang", "warning", f"'{lang}' is not a language code such as 'en'; using 'en'")
        lang = "en"
    elif lang not in LANGS and "lang" in meta:
        finding(
            "lang",
            "warning",
            f"language '{lang}' has no kb translation; kb's words are in English "
            f"(votes keep '{lang}')",
        )

    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    elif not isinstance(tags, list):
        finding("tags", "error", "tags must be a list")
        tags = []

    summary = meta.get("summary") or meta.get("description") or ""
    if not isinstance(summary, str):
        summary = str(summary)

    review_by = None
    if "review_by" in meta:
        review_by = _as_date(meta["review_by"])
        if review_by is None:
            finding(
                "review_by", "error", f"review_by '{meta['review_by']}' is not a date (YYYY-MM-DD)"
            )

    step = None
    if "step" in meta:
        try:
            raw_step = meta["step"]
            if isinstance(raw_step, bool) or (
                isinstance(raw_step, float) and not raw_step.is_integer()
            ):
                raise ValueError
            step = int(raw_step)
            if step < 1:
                raise ValueError
        except (TypeError, ValueError, OverflowError):  # e.g. 'step: .inf'
            finding("step", "error", f"step '{meta['step']}' must be a whole number from 1")
            step = None
    if kind == "onboarding" and step is None and "step" not in meta:
        finding(None, "error", "onboarding article without 'step:' (its place in the guide)")

    category = meta.get("category")
    category = str(category).strip() if category not in (None, "") else default_category(path)

    return Article(
        path=path,
        id=art_id,
        title=title.strip(),
        type=kind,
        category=category,
        lang=lang,
        revision=revision_of(title, fm.body),
        body=fm.body,
        body_line=fm.body_line,
        meta=meta,
        key_lines=fm.key_lines,
        title_line=title_line,
        id_from_path=from_path,
        tags=[str(t) for t in tags],
        summary=summary.strip(),
        owner=str(meta["owner"]) if meta.get("owner") else None,
        review_by=review_by,
        step=step,
        findings=findings,
    )
