"""Did the help center spare a ticket? The reader's journey as figures: pure, no database.

:class:`Journey` holds what was counted for one article, revision, language, category, day
or the whole site: views, unique readers, votes and contacts with support, and the rates
made of them, each share with its Wilson interval. :class:`Funnel` is the path of a search
(searched, opened a result, read, voted, contacted support) and of every reader.
:mod:`kb.review.journey` reads both out of the database.

A reader is one daily visitor hash (the API's salt rotates every UTC day, so the same person
on two days is two readers, and nobody can be followed from one day to the next): "readers"
of an article over a month are its reader-days. At site level a reader who read three
articles on one day is one reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.review.stats import wilson_interval


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


@dataclass
class Journey:
    """What readers did: counted for one article (revision, language, ...), day or the site."""

    views: int = 0  # article pages read (a retried beacon counts once)
    readers: int = 0  # unique readers: distinct daily visitor hashes
    votes: int = 0  # deduplicated votes (one per reader, article and day)
    satisfied: int = 0  # votes with CSAT 4-5
    contacts: int = 0  # "contact support" followed
    from_search: int = 0  # views of readers who arrived from kb's search

    def __add__(self, other: Journey) -> Journey:
        """The sum of two journeys. Readers add up, which is exact for disjoint articles
        and days; the site's own figure (:func:`kb.review.journey.site_journey`) counts a
        reader of several articles on one day once."""
        return Journey(
            self.views + other.views,
            self.readers + other.readers,
            self.votes + other.votes,
            self.satisfied + other.satisfied,
            self.contacts + other.contacts,
            self.from_search + other.from_search,
        )

    @property
    def vote_rate(self) -> float | None:
        """Votes per view (0..1), ``None`` without views."""
        return min(self.votes / self.views, 1.0) if self.views else None

    @property
    def contacting(self) -> int:
        """Contacts counted for the contact rate: never more than the readers."""
        return min(self.contacts, self.readers)

    @property
    def contact_rate(self) -> float | None:
        """Contacts with support per unique reader (0..1), ``None`` without readers."""
        return self.contacting / self.readers if self.readers else None

    @property
    def contact_interval(self) -> tuple[float, float] | None:
        """The 95 % Wilson interval of :attr:`contact_rate`."""
        return wilson_interval(self.contacting, self.readers)

    @property
    def self_service_score(self) -> float | None:
        """Readers per contact (Zendesk's self-service score); ``None`` without a contact."""
        return self.readers / self.contacts if self.contacts else None

    @property
    def self_service_interval(self) -> tuple[float, float | None] | None:
        """The 95 % interval of the self-service score: the contact rate's Wilson interval
        turned over (``(low, None)`` when no upper bound: no contacts seen yet)."""
        ci = self.contact_interval
        if ci is None:
            return None
        lo, hi = ci
        return (1.0 / hi if hi > 0 else 0.0), (1.0 / lo if lo > 0 else None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: rates in 0..1, ``None`` where undefined."""
        ci, ss = self.contact_interval, self.self_service_interval
        return {
            "views": self.views,
            "readers": self.readers,
            "votes": self.votes,
            "vote_rate": _round(self.vote_rate),
            "contacts": self.contacts,
            "contact_rate": _round(self.contact_rate),
            "contact_rate_low": _round(ci[0]) if ci else None,
            "contact_rate_high": _round(ci[1]) if ci else None,
            "self_service_score": _round(self.self_service_score, 2),
            "self_service_low": _round(ss[0], 2) if ss else None,
            "self_service_high": _round(ss[1], 2) if ss else None,
            "from_search": self.from_search,
        }


ARTICLE_FIELDS: tuple[str, ...] = (
    "views",
    "readers",
    "contacts",
    "contact_rate",
    "contact_rate_low",
    "contact_rate_high",
    "vote_rate",
)


# The site's figures in kb report: its readers, contacts and readers per contact.
SITE_FIELDS: tuple[str, ...] = (
    *ARTICLE_FIELDS[:6],
    "self_service_score",
    "self_service_low",
    "self_service_high",
)


def journey_fields(j: Journey | None) -> dict[str, Any]:
    """The :data:`ARTICLE_FIELDS` of an article's (or a revision's) journey for its JSON;
    every one ``None`` when the journey is not known."""
    if j is None:
        return dict.fromkeys(ARTICLE_FIELDS)
    d = j.to_dict()
    return {k: d[k] for k in ARTICLE_FIELDS}


def total(journeys: Iterable[Journey]) -> Journey:
    out = Journey()
    for j in journeys:
        out = out + j
    return out


def by_lineage(
    per_revision: Mapping[str, Journey], lineage_of: Mapping[str, int], current: int
) -> tuple[Journey, Journey | None]:
    """(current lineage, previous lineage) of an article's journeys per revision.

    ``lineage_of`` maps a revision to its lineage (as the votes' split does); a view or
    contact whose revision is unknown (``""``) counts for the current text, as votes do.
    The previous lineage is ``None`` when the article was never rewritten.
    """
    cur, before = Journey(), None
    for rev, j in per_revision.items():
        n = current if rev == "" else lineage_of.get(rev, -1)
        if n == current:
            cur = cur + j
        elif n == current - 1 and n >= 0:
            before = (before or Journey()) + j
    if before is None and current > 0 and any(n == current - 1 for n in lineage_of.values()):
        before = Journey()
    return cur, before


FUNNEL_STAGES: tuple[str, ...] = (
    "searched",
    "opened",
    "read",
    "satisfied",
    "unsatisfied",
    "contacted",
)


@dataclass
class Funnel:
    """The path of kb's searches, and what every reader did, site-wide or for one article.

    The search's path (:meth:`stages`): ``searched`` (searches made; ``None`` for one
    article, since a search that only listed it is not known), ``opened`` (searches whose
    reader opened a result; for an article: opened it), ``read`` (views of readers who came
    from a search), then what those searches ended in (``search_outcomes``: ``satisfied``,
    ``unsatisfied`` — the reader's vote, the latest counting — or ``contact``, which no
    later vote overrides).

    Every reader, however they came: ``views``, ``votes`` (``satisfied`` of them) and
    ``contacts``.
    """

    searched: int | None = None
    opened: int = 0
    read: int = 0
    search_outcomes: dict[str, int] = field(default_factory=dict)
    views: int = 0
    votes: int = 0
    satisfied: int = 0
    contacts: int = 0

    def stages(self) -> list[tuple[str, int | None]]:
        """``[(stage, count)]`` in :data:`FUNNEL_STAGES` order, for a funnel chart."""
        o = self.search_outcomes
        return [
            ("searched", self.searched),
            ("opened", self.opened),
            ("read", self.read),
            ("satisfied", o.get("satisfied", 0)),
            ("unsatisfied", o.get("unsatisfied", 0)),
            ("contacted", o.get("contact", 0)),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "search": dict(self.stages()),
            "readers": {
                "views": self.views,
                "votes": self.votes,
                "satisfied": self.satisfied,
                "unsatisfied": self.votes - self.satisfied,
                "contacts": self.contacts,
            },
        }
