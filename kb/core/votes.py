"""What a vote is, and how one is checked: shared by the API and ``kb feedback import``.

Pure functions over plain values; nothing here knows Flask or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kb.core.vocabulary import COMMENT_MAX, HELPFUL_CSAT, LANG_RE, REASONS, SUBMISSION_MAX

__all__ = ["REASONS", "COMMENT_MAX", "SUBMISSION_MAX"]
FIELDS = ("article", "revision", "csat", "ces", "comment", "reason", "lang", "submission")
SUBMISSION_RE = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{7,{SUBMISSION_MAX - 1}}}$")
REVISION_MAX = 40


class FieldError(ValueError):
    """One field of a vote is wrong; ``field`` names it for the client or the import report."""

    def __init__(self, field: str, message: str, code: str = "invalid_field") -> None:
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


@dataclass
class Vote:
    """One vote: checked from a client or an import, stored, and counted by the review.

    ``provided`` lists the optional fields the client actually sent: an update of an existing
    submission changes only those. ``id`` is the stored row's (0 before it is stored).
    ``updated_at`` and ``version`` are set only by an import of kb's own export (a new vote
    is stored with the time of storing and version 1)."""

    article: str
    csat: int
    submission: str | None = None
    revision: str | None = None
    ces: int | None = None
    comment: str | None = None
    reason: str | None = None
    lang: str | None = None
    visitor: str | None = None
    created_at: datetime | None = None
    source: str = "widget"
    updated_at: datetime | None = None
    version: int = 1
    provided: set[str] = field(default_factory=set)
    id: int = 0


def parse_vote(data: dict[str, Any], *, lenient_types: bool = False) -> Vote:
    """Check a submitted vote. Unknown keys are ignored (a form's button name, a future field).

    ``lenient_types`` accepts numbers written as strings, as HTML forms and CSV files send them;
    JSON clients must send real integers.
    """
    article = _text(data, "article", required=True, max_len=200)
    csat: int | None
    if data.get("helpful") is not None and data.get("helpful") != "":
        csat = _helpful(data)  # the short question set's answer, on the CSAT scale
    else:
        csat = _score(data, "csat", 1, 5, required=True, lenient=lenient_types)
    vote = Vote(article=article, csat=csat)  # type: ignore[arg-type]
    given = {k for k in FIELDS if k in data}
    vote.ces = _score(data, "ces", 1, 7, required=False, lenient=lenient_types)
    vote.revision = _text(data, "revision", max_len=REVISION_MAX)
    vote.comment = _comment(data.get("comment"))
    vote.reason = _text(data, "reason", max_len=40)
    if vote.reason is not None and vote.reason not in REASONS:
        raise FieldError("reason", f"reason must be one of {', '.join(REASONS)}")
    vote.lang = _text(data, "lang", max_len=8)
    if vote.lang is not None and not LANG_RE.match(vote.lang):
        raise FieldError("lang", "lang must be a language code such as 'en' or 'it'")
    vote.submission = _text(data, "submission", max_len=SUBMISSION_MAX)
    if vote.submission is not None and not SUBMISSION_RE.match(vote.submission):
        raise FieldError(
            "submission", "submission must be a UUID (8 to 36 letters, digits, '-' or '_')"
        )
    vote.provided = given - {"article", "csat", "submission"}
    return vote


def _helpful(data: dict[str, Any]) -> int:
    """The CSAT of a short-set answer ("Was this page helpful?"): ``yes``/``true`` and
    ``no``/``false`` by ``HELPFUL_CSAT``. A vote gives ``helpful`` or ``csat``, not both."""
    if data.get("csat") not in (None, ""):
        raise FieldError("helpful", "give either csat or helpful, not both")
    value = data["helpful"]
    if isinstance(value, str):
        value = {"true": "yes", "false": "no"}.get(value.strip().lower(), value.strip().lower())
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    if value not in HELPFUL_CSAT:
        raise FieldError("helpful", "helpful must be true or false ('yes' or 'no' from a form)")
    return HELPFUL_CSAT[value]


def _text(data: dict[str, Any], name: str, *, required: bool = False, max_len: int) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(name, f"{name} is required")
        return None
    if not isinstance(value, str):
        raise FieldError(name, f"{name} must be a string")
    value = value.strip()
    if len(value) > max_len or "\x00" in value:
        raise FieldError(name, f"{name} must be at most {max_len} characters of text")
    return value


def _score(
    data: dict[str, Any], name: str, low: int, high: int, *, required: bool, lenient: bool
) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise FieldError(name, f"{name} is required (a whole number from {low} to {high})")
        return None
    if lenient and isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(name, f"{name} must be a whole number from {low} to {high}")
    return value


def _comment(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError("comment", "comment must be a string")
    # NUL cannot be stored in PostgreSQL text; other control characters are noise.
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value).strip()
    if len(value) > COMMENT_MAX:
        raise FieldError(
            "comment", f"comment must be at most {COMMENT_MAX} characters", code="comment_too_long"
        )
    return value or None
