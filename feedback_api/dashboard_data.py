"""What the dashboard's pages show: the review, computed again only when what it uses
changed, and the queries behind the pages, each failing softly (a page without one chart
rather than an error page)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template
from kb.feedback_api.db import get_engine
from sqlalchemy.exc import SQLAlchemyError

from kb.core.errors import KbError
from kb.core.manifest import manifest_path
from kb.core.project import Project
from kb.core.revisions import project_history_path
from kb.plugin.project import load_project
from kb.review import searches as search_log
from kb.review.flags import Review
from kb.review.report import load_review
from kb.review.scoring import Tally, total
from kb.store.tables import feedback

REVIEW_TTL = 300.0  # at most this many seconds between two computations (review_by dates)


def setup(app) -> None:
    app.extensions["kb_review_cache"] = {"at": 0.0, "review": None, "lock": threading.Lock()}


def mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def current_project() -> Project:
    """The help center of ``CONFIG_FILE``, read again only when that file changes."""
    config_file = Path(current_app.config["CONFIG_FILE"])
    cache = current_app.extensions["kb_review_cache"]
    key = mtime(config_file)
    held = cache.get("project")
    if held is None or held[0] != key:
        project = Project.defaults(config_file)
        if config_file.exists():
            try:
                project = load_project(config_file)
            except KbError:  # a broken mkdocs.yml must not take the dashboard down: defaults
                current_app.logger.exception("cannot read review settings from %s", config_file)
        held = cache["project"] = (key, project)
    return held[1]


def fingerprint() -> tuple:
    """What the review depends on: the manifest, the revision history, the votes."""
    votes: tuple = ()
    try:
        with get_engine().connect() as conn:
            votes = tuple(
                conn.execute(
                    sa.select(
                        sa.func.max(feedback.c.id),
                        sa.func.max(feedback.c.updated_at),
                        sa.func.count(),
                    )
                ).one()
            )
    except SQLAlchemyError:
        pass
    project = current_project()
    return (
        mtime(manifest_path(current_app.config["SITE_DIR"])),
        mtime(project_history_path(project.project_dir)),
        mtime(project.config_file),
        votes,
    )


def get_review(fresh: bool = False) -> Review:
    """The review of the help center, computed again only when something it uses changed."""
    cache = current_app.extensions["kb_review_cache"]
    key = fingerprint()
    with cache["lock"]:
        stale = (
            fresh
            or cache["review"] is None
            or cache.get("key") != key
            or time.monotonic() - cache["at"] > REVIEW_TTL
        )
        if stale:
            try:
                cache["review"] = load_review(
                    get_engine(), current_project(), site_dir=current_app.config["SITE_DIR"]
                )
            except FileNotFoundError:
                abort(
                    Response(
                        render_template(
                            "dashboard/error.html",
                            status=503,
                            message="The help center is not built yet: run 'kb build'.",
                        ),
                        status=503,
                    )
                )
            cache["at"], cache["key"] = time.monotonic(), key
        return cache["review"]


def forget_review() -> None:
    current_app.extensions["kb_review_cache"]["review"] = None


def zero(engine, since: dt.datetime, limit: int) -> list[tuple[str, int]]:
    """``[(query, count)]`` of the searches that found nothing."""
    rows = safe(lambda: search_log.zero_result_queries(engine, since=since, limit=limit), [])
    return search_log.query_counts(rows)


def top(engine, since: dt.datetime, limit: int) -> list[tuple[str, int]]:
    """``[(query, count)]`` of the most frequent searches."""
    rows = safe(lambda: search_log.top_queries(engine, since=since, limit=limit), [])
    return search_log.query_counts(rows)


def safe(fn, default):
    try:
        return fn()
    except SQLAlchemyError:
        current_app.logger.exception("dashboard query failed")
        return default


def rolling_trend(days: list, window: int = 7) -> dict[str, list]:
    """Daily votes, with CSAT and CES over the last ``window`` days (daily rates are noise)."""
    labels, csat, ces, votes = [], [], [], []
    dates = [dt.date.fromisoformat(d) for d, _ in days]
    for i, (day, t) in enumerate(days):
        first = dates[i] - dt.timedelta(days=window - 1)
        span: Tally = total(x for j, (_, x) in enumerate(days[: i + 1]) if dates[j] >= first)
        labels.append(day)
        votes.append(t.votes)
        csat.append(None if span.csat is None else round(100 * span.csat, 1))
        ces.append(None if span.ces is None else round(span.ces, 2))
    return {"labels": labels, "csat": csat, "ces": ces, "votes": votes, "window": window}
