"""What a view and a contact are, and how one is checked: pure, shared by the API and the demo.

A view is one article page read; a contact is one "contact support" followed from an article.
Both carry an id made by the client, so a retried beacon is counted once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.core.vocabulary import ARRIVALS, REASONS, SATISFIED_MIN, SEARCH_OUTCOMES
from kb.core.votes import LANG_RE, REVISION_MAX, SUBMISSION_RE, FieldError, _score, _text

TOKEN_RE = re.compile(r"^[0-9a-f]{8,32}$")  # a search-log token (kb.store.searchlog)
QUERY_MAX = 1000  # characters of a query a contact may carry (stored normalised, 200)


@dataclass
class View:
    view: str  # the client-made id
    article: str
    revision: str | None = None
    lang: str | None = None
    arrival: str = "external"  # one of ARRIVALS
    search: str | None = None  # the search-log token, when opened from kb's search
    visitor: str | None = None


@dataclass
class Contact:
    contact: str  # the client-made id
    article: str
    revision: str | None = None
    lang: str | None = None
    search: str | None = None
    query: str | None = None
    csat: int | None = None
    ces: int | None = None
    reason: str | None = None
    visitor: str | None = None


def _common(data: dict[str, Any]) -> dict[str, Any]:
    """The fields views and contacts share: id, article, revision, language, search."""
    ident = _text(data, "id", required=True, max_len=36)
    if not SUBMISSION_RE.match(ident or ""):
        raise FieldError("id", "id must be a UUID (8 to 36 letters, digits, '-' or '_')")
    lang = _text(data, "lang", max_len=8)
    if lang is not None and not LANG_RE.match(lang):
        raise FieldError("lang", "lang must be a language code such as 'en' or 'it'")
    search = parse_search(data)
    return {
        "id": ident,
        "article": _text(data, "article", required=True, max_len=200),
        "revision": _text(data, "revision", max_len=REVISION_MAX),
        "lang": lang,
        "search": search,
    }


def parse_search(data: dict[str, Any]) -> str | None:
    """The optional ``search`` token of a view, a contact or a vote (the search that led there)."""
    search = _text(data, "search", max_len=32)
    if search is not None and not TOKEN_RE.match(search):
        raise FieldError("search", "search must be the X-KB-Search-Id token")
    return search


def vote_outcome(csat: int) -> str:
    """What a search ended in when its reader voted ``csat``: ``satisfied`` or ``unsatisfied``."""
    return SEARCH_OUTCOMES[0] if csat >= SATISFIED_MIN else SEARCH_OUTCOMES[1]


def parse_view(data: dict[str, Any]) -> View:
    """Check a view beacon; unknown keys are ignored."""
    f = _common(data)
    arrival = _text(data, "arrival", max_len=8) or ("search" if f["search"] else "external")
    if arrival not in ARRIVALS:
        raise FieldError("arrival", f"arrival must be one of {', '.join(ARRIVALS)}")
    if arrival != "search":
        f["search"] = None
    return View(
        view=f["id"],
        article=f["article"],
        revision=f["revision"],
        lang=f["lang"],
        arrival=arrival,
        search=f["search"],
    )


def parse_contact(data: dict[str, Any]) -> Contact:
    """Check a contact; ``q`` is the query typed, ``csat``/``ces``/``reason`` the answers."""
    f = _common(data)
    reason = _text(data, "reason", max_len=40)
    if reason is not None and reason not in REASONS:
        raise FieldError("reason", f"reason must be one of {', '.join(REASONS)}")
    return Contact(
        contact=f["id"],
        article=f["article"],
        revision=f["revision"],
        lang=f["lang"],
        search=f["search"],
        query=_text(data, "q", max_len=QUERY_MAX),
        csat=_score(data, "csat", 1, 5, required=False, lenient=False),
        ces=_score(data, "ces", 1, 7, required=False, lenient=False),
        reason=reason,
    )


def parse_outcome(data: dict[str, Any]) -> tuple[str, str]:
    """(search token, outcome) of a search's ending reported by the page."""
    search = _text(data, "search", required=True, max_len=32)
    if not TOKEN_RE.match(search or ""):
        raise FieldError("search", "search must be the X-KB-Search-Id token")
    outcome = _text(data, "outcome", required=True, max_len=16)
    if outcome not in SEARCH_OUTCOMES[:2]:
        raise FieldError("outcome", "outcome must be satisfied or unsatisfied")
    return search, outcome  # type: ignore[return-value]
