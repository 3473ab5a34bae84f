"""A help center project as every command sees it: its files and its settings, loaded once.

:class:`Project` is plain data: the MkDocs adapter (:func:`kb.plugin.project.load_project`)
fills it from ``mkdocs.yml``; the review, the dashboard and the CLI receive it and never read
the configuration again. The review's and the webhooks' defaults are written here once; the
``plugins: kb: review:`` options of ``mkdocs.yml`` take theirs from these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.core.revisions import DEFAULT_REWRITE_SIMILARITY

PEERS = ("site", "category", "type")
METHODS = ("mixture", "beta")  # how CSAT and CES flag an article (docs/review.md)
# vote.low, article.flagged and support.contact as they happen; searches.not_found, a digest
# once a week.
WEBHOOK_EVENTS: tuple[str, ...] = (
    "vote.low",
    "article.flagged",
    "support.contact",
    "searches.not_found",
)


@dataclass(frozen=True)
class ReviewSettings:
    """Thresholds of the review; the defaults are documented in docs/review.md."""

    min_votes: int = 10
    peers: str = "site"
    csat_margin: float = 0.15
    ces_margin: float = 0.20
    confidence: float = 0.80
    min_ces_votes: int = 10
    outdated_min: int = 3
    outdated_share: float = 0.25
    zero_result_min: int = 5
    review_by: bool = True
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY
    nps: bool = False
    either: bool = True
    method: str = "mixture"
    weak_confidence: float = 0.7
    contact_margin: float = 0.03
    min_readers: int = 50

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ReviewSettings:
        """The settings named in ``data`` (unknown keys ignored), defaults for the others."""
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class WebhookSettings:
    """Where and what the webhooks send (``webhook_*`` options of ``review``)."""

    url: str | None = None
    events: tuple[str, ...] = WEBHOOK_EVENTS
    low_csat: int = 2  # a vote is "low" at this CSAT or below (with a comment)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> WebhookSettings:
        """From the ``webhook_url``, ``webhook_events``, ``webhook_low_csat`` options."""
        prefixed = {
            k.removeprefix("webhook_"): v
            for k, v in (data or {}).items()
            if k.startswith("webhook_") and v is not None
        }
        values = _known(cls, prefixed)
        if "events" in values:
            values["events"] = tuple(values["events"])
        return cls(**values)


REVIEW_DEFAULTS = ReviewSettings()
WEBHOOK_DEFAULTS = WebhookSettings()


def _known(cls: type, data: Mapping[str, Any] | None) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in (data or {}).items() if k in names}


@dataclass(frozen=True)
class Project:
    """One help center: where its files are and how it is reviewed."""

    config_file: Path  # its mkdocs.yml (whatever its name)
    project_dir: Path  # the folder of config_file
    site_dir: Path  # where 'kb build' puts the site
    docs_dir: Path | None  # the articles; None when the configuration could not be read
    lang: str = "en"
    languages: tuple[str, ...] = ()  # several languages: the default first
    missing_translations: str = "warning"
    review: ReviewSettings = field(default_factory=ReviewSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @classmethod
    def defaults(cls, config_file: str | Path) -> Project:
        """The project of a configuration file that cannot be read: default settings, the
        site in ``site/`` next to it, no known articles folder."""
        path = Path(config_file).resolve()
        return cls(path, path.parent, path.parent / "site", None)
