"""The reader's journey on the dashboard: the overview's views, contacts and self-service
score over time, and an article's funnel, as the JSON its charts and tables are drawn from.

The figures come from :mod:`kb.review.journey`; this module only shapes them. A database
without the journey's tables gives empty figures (the pages then say nothing was counted).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kb.feedback_api.dashboard_data import safe

from kb.review import journey
from kb.review.deflection import Funnel, Journey, total

# The article page's funnel: each stage of a search that led to the article, then what
# every reader did, however they came.
SEARCH_STAGES = (
    ("opened", "Opened it from a search"),
    ("read", "Read it after a search"),
    ("satisfied", "Then voted satisfied"),
    ("unsatisfied", "Then voted not satisfied"),
    ("contacted", "Then contacted support"),
)


def journey_trend(series: list[tuple[str, Journey]], window: int = 7) -> dict[str, list]:
    """Daily views and contacts, with readers per contact over the last ``window`` days
    (a day's contacts are too few for a rate)."""
    labels, views, readers, contacts, score = [], [], [], [], []
    dates = [dt.date.fromisoformat(d) for d, _ in series]
    for i, (day, j) in enumerate(series):
        first = dates[i] - dt.timedelta(days=window - 1)
        span = total(x for k, (_, x) in enumerate(series[: i + 1]) if dates[k] >= first)
        labels.append(day)
        views.append(j.views)
        readers.append(j.readers)
        contacts.append(j.contacts)
        ss = span.self_service_score
        score.append(None if ss is None else round(ss, 1))
    return {
        "labels": labels,
        "views": views,
        "readers": readers,
        "contacts": contacts,
        "score": score,
        "window": window,
    }


def overview(engine, since: dt.datetime) -> tuple[dict[str, list], Journey]:
    """The site's journey per day since ``since``, and its sum (readers are reader-days:
    the visitor hash rotates daily)."""
    series = safe(lambda: journey.journey_series(engine, since=since), [])
    return journey_trend(series), total(j for _, j in series)


def article_funnel(engine, article_id: str) -> dict[str, Any]:
    """One article's funnel for its chart and table: the searches that led to it and what
    they ended in, then every reader's views, votes and contacts."""
    f: Funnel = safe(lambda: journey.funnel(engine, article_id=article_id), Funnel())
    stages = dict(f.stages())
    search = [(label, int(stages.get(key) or 0)) for key, label in SEARCH_STAGES]
    readers = [
        ("Read it", f.views),
        ("Voted satisfied", f.satisfied),
        ("Voted not satisfied", f.votes - f.satisfied),
        ("Contacted support", f.contacts),
    ]
    return {
        "labels": [label for label, _ in search],
        "search": [n for _, n in search],
        "reader_labels": [label for label, _ in readers],
        "readers": [n for _, n in readers],
        "known": bool(f.opened or f.views or f.contacts),  # votes alone: no journey recorded
    }
