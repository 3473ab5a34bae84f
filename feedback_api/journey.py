"""``POST /api/v1/views``, ``POST /api/v1/contacts`` and ``POST /api/v1/search/outcome``.

The article page's beacon reports one view; following "contact support" reports one contact;
a vote after a search reports what that search ended in. The body is JSON, sent as
``application/json`` or, by ``navigator.sendBeacon``, as ``text/plain`` (no CORS preflight).
Each view and contact carries an id made by the browser: ``201`` when it was counted now,
``200`` when it was counted before (a retry) or not at all (a crawler's user agent). Every
answer is given after the commit, so an acknowledged view or contact survives a crash.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from kb.feedback_api import db
from kb.feedback_api.articles import known_article
from kb.feedback_api.errors import ApiError
from kb.feedback_api.limits import check_journey_limit, check_search_limit
from sqlalchemy.exc import SQLAlchemyError

from kb.core.journey import parse_contact, parse_outcome, parse_view
from kb.core.votes import FieldError
from kb.store.engine import write_transaction
from kb.store.journey import record_contact, record_view, search_query, set_outcome

log = logging.getLogger("feedback_api")
bp = Blueprint("journey", __name__)

# Crawlers, link checkers and headless browsers announce themselves; their views are not
# counted (they run no JavaScript, mostly, but some do).
BOTS = re.compile(
    r"bot|crawl|spider|slurp|curl|wget|python-|httpx|go-http|java/|headless|lighthouse|"
    r"preview|monitor|scan|fetch",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOTS.search(user_agent))


def _body() -> dict[str, Any]:
    if request.mimetype not in ("application/json", "text/plain"):
        raise ApiError(415, "unsupported_media_type", "Send a JSON object (application/json).")
    try:
        data = json.loads(request.get_data() or b"null")
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    return data


def _unavailable(what: str) -> ApiError:
    log.exception("could not store a %s", what)
    return ApiError(
        503,
        "database_unavailable",
        f"The {what} could not be stored now; try again shortly.",
        headers={"Retry-After": "5"},
    )


def _visitor(engine) -> str:
    return current_app.extensions["kb_visitor"](
        engine, request.remote_addr or "", request.user_agent.string
    )


def _ingest(kind: str, parse, record):
    """Check, count once and commit a view or a contact; the answer of both endpoints.
    ``record(conn, item)`` returns whether it counted now, and what else the answer says."""
    try:
        item = parse(_body())
    except FieldError as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None
    entry = known_article(item.article, item.lang)
    check_journey_limit(kind, item.article)
    ident = getattr(item, kind)
    if is_bot(request.user_agent.string):
        return jsonify(id=ident, counted=False), 200
    item.revision = item.revision or entry.get("revision")
    item.lang = item.lang or entry.get("lang")
    engine = db.get_engine()
    try:
        item.visitor = _visitor(engine)
        with write_transaction(engine) as conn:
            counted, extra = record(conn, item)
    except SQLAlchemyError:
        raise _unavailable(kind) from None
    return jsonify(id=ident, counted=counted, **extra), 201 if counted else 200


def _view(conn, v):
    """Count the view; one opened from kb's search is told its query (as the search log keeps
    it), which the page's "contact support" link carries as ``q``."""
    counted = record_view(conn, v)
    return counted, ({"query": search_query(conn, v.search)} if v.search else {})


@bp.post("/views")
def post_view():
    return _ingest("view", parse_view, _view)


@bp.post("/contacts")
def post_contact():
    return _ingest("contact", parse_contact, _contact)


def _contact(conn, c):
    return record_contact(conn, c) is not None, {}


@bp.post("/search/outcome")
def post_outcome():
    check_search_limit("click")
    try:
        token, outcome = parse_outcome(_body())
    except FieldError as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None
    try:
        with write_transaction(db.get_engine()) as conn:
            found = set_outcome(conn, token, outcome)
    except SQLAlchemyError:
        raise _unavailable("search outcome") from None
    if not found:
        raise ApiError(404, "not_found", "No search with that token (or it ended in a contact).")
    return "", 204
