"""The feedback store inside the Flask app: one engine per worker, made on first use."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import Engine

from kb.store.engine import API_DB_TIMEOUT_S, head_revisions, make_engine, upgrade


def init_app(app: Flask) -> None:
    """Attach the engine (made lazily, so each gunicorn worker opens its own connections)."""
    state = {"url": app.config["DATABASE_URL"], "engine": None, "heads": ()}
    app.extensions["kb_db"] = state
    state["heads"] = head_revisions()
    if app.config.get("AUTO_UPGRADE"):
        migrator = make_engine(state["url"])  # no request timeout for a migration
        try:
            upgrade(migrator)
        finally:
            migrator.dispose()
    get_engine(app).dispose()  # no pooled connection survives into a forked worker


def get_engine(app: Flask | None = None) -> Engine:
    """The application's engine, created on first use."""
    state = (app or current_app).extensions["kb_db"]
    if state["engine"] is None:
        config = (app or current_app).config
        state["engine"] = make_engine(
            state["url"], timeout=float(config.get("DB_TIMEOUT", API_DB_TIMEOUT_S))
        )
    return state["engine"]
