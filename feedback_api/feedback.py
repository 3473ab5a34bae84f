"""``POST /api/v1/feedback``: store a vote, or update it when its submission is known.

JSON from the widget's script answers ``201 {"id", "submission"}`` for a new vote and
``200`` with the same body when the submission already existed (a follow-up step or a retry).
An HTML form (``application/x-www-form-urlencoded``, the widget without JavaScript) gets a
``303`` back to its article instead. Every error uses the one JSON error shape.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request
from kb.feedback_api import db
from kb.feedback_api.articles import known_article
from kb.feedback_api.errors import ApiError
from kb.feedback_api.limits import check_vote_limit
from kb.feedback_api.redirects import thanks_url
from sqlalchemy.exc import SQLAlchemyError

from kb.core.journey import parse_search, vote_outcome
from kb.core.votes import FieldError, parse_vote
from kb.store.engine import write_transaction
from kb.store.journey import set_outcome
from kb.store.votes import SubmissionConflict, upsert_vote

log = logging.getLogger("feedback_api")
bp = Blueprint("feedback", __name__)

FORM = "application/x-www-form-urlencoded"
# A form field hidden from people (partials/feedback.html): only bots fill it in.
HONEYPOT = "website"


@bp.post("/feedback")
def post_feedback():
    is_form = request.mimetype == FORM
    if is_form:
        data: dict[str, Any] = request.form.to_dict()
    elif request.mimetype == "application/json":
        data = _json_object()
    else:
        raise ApiError(
            415, "unsupported_media_type", "Send the vote as application/json (or as an HTML form)."
        )
    try:
        vote = parse_vote(data, lenient_types=is_form)
        search = parse_search(data)
    except FieldError as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None
    entry = known_article(vote.article, vote.lang)
    if vote.submission is None:
        if not is_form:
            raise ApiError(
                422,
                "invalid_field",
                "submission is required (a UUID made by the "
                "client, so retries update the same vote)",
                "submission",
            )
        vote.submission = str(uuid.uuid4())  # a form cannot make one; one post is one vote
    vote.revision = vote.revision or entry.get("revision")
    vote.lang = vote.lang or entry.get("lang")
    vote.source = "form" if is_form else "widget"
    engine = db.get_engine()
    check_vote_limit(vote.article)
    if _is_bot(data):
        # The honeypot field people never see was filled in: answer as if the vote was
        # stored (a bot learns nothing to adapt to), store nothing.
        log.info("honeypot: dropped a vote for %s", vote.article)
        vote_id, created = 0, True
    else:
        vote_id, created = _store(engine, vote, search)
    if is_form:
        cfg = current_app.config
        return redirect(
            thanks_url(
                entry.get("url") or "",
                site_url=cfg["SITE_URL"],
                referrer=request.headers.get("Referer"),
                origin=request.headers.get("Origin"),
                host_url=request.host_url,
                allowed_origins=cfg["ALLOWED_ORIGINS"],
            ),
            code=303,
        )
    return jsonify(id=vote_id, submission=vote.submission), 201 if created else 200


def _is_bot(data: dict[str, Any]) -> bool:
    value = data.get(HONEYPOT)
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())


def _store(engine, vote, search: str | None = None) -> tuple[int, bool]:
    """Upsert the vote; database trouble is a 503 with Retry-After (the widget retries). A
    vote from a page opened by kb's search (``search``, its token) records that search's
    outcome in the same transaction; a search that ended in a contact keeps that."""
    try:
        vote.visitor = current_app.extensions["kb_visitor"](
            engine, request.remote_addr or "", request.user_agent.string
        )
        with write_transaction(engine) as conn:
            vote_id, created = upsert_vote(conn, vote)
            if search:
                set_outcome(conn, search, vote_outcome(vote.csat))
    except SubmissionConflict:
        raise ApiError(
            409,
            "submission_conflict",
            "This submission belongs to a vote on another article; make a new one.",
            "submission",
        ) from None
    except SQLAlchemyError:
        log.exception("could not store a vote")
        raise ApiError(
            503,
            "database_unavailable",
            "The vote could not be stored now; try again shortly.",
            headers={"Retry-After": "5"},
        ) from None
    return vote_id, created


def _json_object() -> dict[str, Any]:
    raw = request.get_data()  # beyond MAX_CONTENT_LENGTH this raises 413
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    return data
