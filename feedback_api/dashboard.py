"""The maintainers' dashboard at ``/dashboard/``: trends, the flag queue, articles, searches.

Server-rendered pages (Jinja escapes every comment and query), charts drawn by Chart.js
(vendored in ``static/dashboard/``, no CDN) from JSON embedded in the page. Behind a login;
see :mod:`feedback_api.dashboard_auth` for the session, CSRF and throttling rules.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from kb.feedback_api import dashboard_auth as auth
from kb.feedback_api.db import get_engine
from sqlalchemy.exc import SQLAlchemyError

from kb.core.errors import KbError
from kb.core.manifest import manifest_path
from kb.core.project import Project
from kb.core.revisions import project_history_path
from kb.plugin.project import load_project
from kb.review import queries
from kb.review import searches as search_log
from kb.review.flags import Review
from kb.review.report import load_review
from kb.review.scoring import Tally, pct, total
from kb.store import acks as review_store
from kb.store.tables import feedback

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static/dashboard",
    static_url_path="/static",
)

REVIEW_TTL = 300.0  # at most this many seconds between two computations (review_by dates)
TREND_DAYS = 90
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.record_once
def _setup(state) -> None:
    auth.setup(state.app)
    state.app.extensions["kb_review_cache"] = {"at": 0.0, "review": None, "lock": threading.Lock()}


@bp.before_request
def _gate():
    if request.endpoint == "dashboard.static":
        return None
    if not auth.enabled():
        return Response(render_template("dashboard/closed.html"), status=503)
    if request.method == "POST" and not auth.csrf_ok():
        return Response(
            render_template(
                "dashboard/error.html",
                status=400,
                message="The form expired. Go back, reload the page and try again.",
            ),
            status=400,
        )
    if request.endpoint not in ("dashboard.login",) and not auth.logged_in():
        return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "dashboard.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _context() -> dict[str, Any]:
    return {
        "csrf_token": auth.csrf_token if request.path.startswith("/dashboard") else None,
        "pct": pct,
        "num": _num,
    }


def _num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


# -- data --------------------------------------------------------------------------------------


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def _project() -> Project:
    """The help center of ``CONFIG_FILE``, read again only when that file changes."""
    config_file = Path(current_app.config["CONFIG_FILE"])
    cache = current_app.extensions["kb_review_cache"]
    key = _mtime(config_file)
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


def _fingerprint() -> tuple:
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
    project = _project()
    return (
        _mtime(manifest_path(current_app.config["SITE_DIR"])),
        _mtime(project_history_path(project.project_dir)),
        _mtime(project.config_file),
        votes,
    )


def get_review(fresh: bool = False) -> Review:
    """The review of the help center, computed again only when something it uses changed."""
    cache = current_app.extensions["kb_review_cache"]
    key = _fingerprint()
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
                    get_engine(), _project(), site_dir=current_app.config["SITE_DIR"]
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


def _forget_review() -> None:
    current_app.extensions["kb_review_cache"]["review"] = None


def _zero(engine, since: dt.datetime, limit: int) -> list[tuple[str, int]]:
    """``[(query, count)]`` of the searches that found nothing."""
    rows = _safe(lambda: search_log.zero_result_queries(engine, since=since, limit=limit), [])
    return search_log.query_counts(rows)


def _top(engine, since: dt.datetime, limit: int) -> list[tuple[str, int]]:
    """``[(query, count)]`` of the most frequent searches."""
    rows = _safe(lambda: search_log.top_queries(engine, since=since, limit=limit), [])
    return search_log.query_counts(rows)


def _safe(fn, default):
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


# -- pages -------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = auth.safe_next(request.values.get("next")) or url_for("dashboard.overview")
    error, status = None, 200
    if request.method == "POST":
        wait = auth.throttled(auth.client())
        if wait:
            error, status = f"Too many failed attempts. Try again in {wait // 60 + 1} minutes.", 429
        elif auth.check_password(auth.client(), request.form.get("password", "")):
            auth.log_in()
            return redirect(target)
        else:
            error, status = "Wrong password.", 401
    resp = Response(
        render_template("dashboard/login.html", error=error, next=target), status=status
    )
    if status == 429:
        resp.headers["Retry-After"] = str(auth.throttled(auth.client()))
    return resp


@bp.post("/logout")
def logout():
    auth.log_out_everywhere()
    return redirect(url_for("dashboard.login"))


@bp.get("/")
def overview():
    review = get_review()
    engine = get_engine()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=TREND_DAYS)
    days = _safe(lambda: queries.daily_tallies(engine, since=since), [])
    trend = rolling_trend(days)
    comments = _safe(lambda: queries.recent_comments(engine, limit=8), [])
    handled = _safe(lambda: review_store.handled_ids(engine, [c["id"] for c in comments]), set())
    titles = {a.id: a.article.get("title") for a in review.articles}
    return render_template(
        "dashboard/overview.html",
        review=review,
        trend=trend,
        site=review.baselines.site,
        comments=comments,
        handled=handled,
        titles=titles,
        zero=_zero(engine, since, 10),
        days=TREND_DAYS,
    )


@bp.get("/flags")
def flags():
    review = get_review()
    acks = _safe(lambda: review_store.latest_acks(get_engine()), {})
    open_, acked = [], []
    for a in sorted(review.flagged, key=lambda a: -(a.p_csat_worse or 0)):
        ack = acks.get(a.id)
        codes = [r.code for r in a.reasons]
        (acked if review_store.covers(ack, a.article.get("revision"), codes) else open_).append(
            (a, ack)
        )
    return render_template(
        "dashboard/flags.html", review=review, open_flags=open_, acked_flags=acked
    )


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    review = get_review()
    found = next((a for a in review.articles if a.id == article_id), None)
    if found is None:
        return Response(
            render_template(
                "dashboard/error.html",
                status=404,
                message="No such article in the built help center.",
            ),
            status=404,
        )
    engine = get_engine()
    comments = _safe(lambda: queries.recent_comments(engine, article_id, limit=200), [])
    handled = _safe(lambda: review_store.handled_ids(engine, [c["id"] for c in comments]), set())
    chart = {
        "labels": [r.revision[:7] or "?" for r in found.revisions],
        "csat": [
            None if r.tally.csat is None else round(100 * r.tally.csat, 1) for r in found.revisions
        ],
        "low": [
            None if not r.tally.csat_interval else round(100 * r.tally.csat_interval[0], 1)
            for r in found.revisions
        ],
        "high": [
            None if not r.tally.csat_interval else round(100 * r.tally.csat_interval[1], 1)
            for r in found.revisions
        ],
        "ces": [None if r.tally.ces is None else round(r.tally.ces, 2) for r in found.revisions],
        "votes": [r.tally.votes for r in found.revisions],
    }
    searches = _safe(lambda: search_log.searches_for_article(engine, article_id), [])
    return render_template(
        "dashboard/article.html",
        a=found,
        review=review,
        chart=chart,
        comments=comments,
        handled=handled,
        searches=searches,
        acks=_safe(lambda: review_store.acks_of(engine, article_id), []),
    )


@bp.get("/searches")
def searches():
    engine = get_engine()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=TREND_DAYS)
    return render_template(
        "dashboard/searches.html",
        days=TREND_DAYS,
        top=_top(engine, since, 50),
        zero=_zero(engine, since, 50),
    )


# -- actions -----------------------------------------------------------------------------------


@bp.post("/comments/<int:feedback_id>/handled")
def comment_handled(feedback_id: int):
    handled = request.form.get("handled", "1") != "0"
    try:
        review_store.mark_handled(get_engine(), feedback_id, handled)
        flash("Comment marked as handled." if handled else "Comment marked as open.")
    except SQLAlchemyError:
        current_app.logger.exception("cannot mark comment %s", feedback_id)
        flash("Could not save: is the database upgraded (kb db upgrade)?", "error")
    return redirect(auth.safe_next(request.form.get("next")) or url_for("dashboard.overview"))


@bp.post("/articles/<path:article_id>/acknowledge")
def acknowledge(article_id: str):
    review = get_review()
    found = next((a for a in review.articles if a.id == article_id), None)
    if found is None:
        abort(404)
    note = request.form.get("note", "").strip()
    if not note:
        flash("Write a note: what will be done, or why the flag is fine.", "error")
    else:
        try:
            review_store.acknowledge(
                get_engine(),
                article_id,
                found.article.get("revision"),
                [r.code for r in found.reasons],
                note,
            )
            flash("Flag acknowledged.")
        except SQLAlchemyError:
            current_app.logger.exception("cannot acknowledge %s", article_id)
            flash("Could not save: is the database upgraded (kb db upgrade)?", "error")
    return redirect(
        auth.safe_next(request.form.get("next"))
        or url_for("dashboard.article", article_id=article_id)
    )
