"""The maintainers' dashboard at ``/dashboard/``: trends, the flag queue, articles, searches.

Server-rendered pages (Jinja escapes every comment and query), charts drawn by Chart.js
(vendored in ``static/dashboard/``, no CDN) from JSON embedded in the page. Behind a login;
see :mod:`feedback_api.dashboard_auth` for the session, CSRF and throttling rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
from kb.feedback_api import dashboard_data as data
from kb.feedback_api import dashboard_journey
from kb.feedback_api.dashboard_data import get_review, safe
from kb.feedback_api.db import get_engine
from sqlalchemy.exc import SQLAlchemyError

from kb.review import queries
from kb.review import searches as search_log
from kb.review.notfound import load_not_found
from kb.review.scoring import pct
from kb.store import acks as review_store

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static/dashboard",
    static_url_path="/static",
)

TREND_DAYS = 90
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.record_once
def _setup(state) -> None:
    auth.setup(state.app)
    data.setup(state.app)


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
    days = safe(lambda: queries.daily_tallies(engine, since=since), [])
    trend = data.rolling_trend(days)
    journey, journey_total = dashboard_journey.overview(engine, since)
    comments = safe(lambda: queries.recent_comments(engine, limit=8), [])
    handled = safe(lambda: review_store.handled_ids(engine, [c["id"] for c in comments]), set())
    titles = {a.id: a.article.get("title") for a in review.articles}
    return render_template(
        "dashboard/overview.html",
        review=review,
        trend=trend,
        site=review.baselines.site,
        comments=comments,
        handled=handled,
        titles=titles,
        zero=data.zero(engine, since, 10),
        days=TREND_DAYS,
        journey=journey,
        journey_total=journey_total,
    )


@bp.get("/flags")
def flags():
    review = get_review()
    acks = safe(lambda: review_store.latest_acks(get_engine()), {})
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
    comments = safe(lambda: queries.recent_comments(engine, article_id, limit=200), [])
    handled = safe(lambda: review_store.handled_ids(engine, [c["id"] for c in comments]), set())
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
    searches = safe(lambda: search_log.searches_for_article(engine, article_id), [])
    return render_template(
        "dashboard/article.html",
        a=found,
        review=review,
        chart=chart,
        comments=comments,
        handled=handled,
        searches=searches,
        funnel=dashboard_journey.article_funnel(engine, article_id),
        acks=safe(lambda: review_store.acks_of(engine, article_id), []),
    )


@bp.get("/searches")
def searches():
    engine = get_engine()
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=TREND_DAYS)
    return render_template(
        "dashboard/searches.html",
        days=TREND_DAYS,
        top=data.top(engine, since, 50),
        zero=data.zero(engine, since, 50),
    )


NOT_FOUND_DAYS = (7, 30, 90)
NOT_FOUND_SHOWN = 100


@bp.get("/not-found")
def not_found():
    review = get_review()
    days = request.args.get("days", default=30, type=int)
    days = days if days in NOT_FOUND_DAYS else 30
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    found = load_not_found(
        get_engine(),
        current_app.config["SITE_DIR"],
        (a.article for a in review.articles),
        lang=data.current_project().lang,
        since=since,
    )
    return render_template(
        "dashboard/not_found.html",
        review=review,
        found=found.to_dict(NOT_FOUND_SHOWN),
        days=days,
        choices=NOT_FOUND_DAYS,
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
