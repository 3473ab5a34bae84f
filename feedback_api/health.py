"""``GET /api/v1/health``: is the API up, does its database answer, is its schema current?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from kb.feedback_api import db
from kb.feedback_api.articles import SiteNotBuilt
from kb.feedback_api.errors import ApiError
from sqlalchemy.exc import SQLAlchemyError

from kb.store.engine import schema_revisions

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    try:
        current = schema_revisions(db.get_engine())
    except SQLAlchemyError:
        raise ApiError(
            503,
            "database_unavailable",
            "The database does not answer.",
            headers={"Retry-After": "5"},
        ) from None
    if current != current_app.extensions["kb_db"]["heads"]:
        raise ApiError(
            503,
            "schema_outdated",
            "The database schema is not current: run 'kb db upgrade'.",
            headers={"Retry-After": "30"},
        )
    try:
        articles: int | None = len(current_app.extensions["kb_articles"])
    except SiteNotBuilt:
        articles = None
    return jsonify(status="ok", database="ok", schema=list(current), articles=articles)
