"""``GET /api/v1/health``: is the API up, and does its database answer?"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from . import db
from .errors import ApiError

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    try:
        db.ping(db.get_engine())
    except SQLAlchemyError:
        raise ApiError(503, "database_unavailable", "The database does not answer.",
                       headers={"Retry-After": "5"}) from None
    return jsonify(status="ok", database="ok")
