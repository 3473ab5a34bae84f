"""kb's feedback API: a Flask application factory, ``gunicorn "kb.feedback_api:create_app()"``.

The repository's ``feedback_api/`` folder is installed as ``kb.feedback_api``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from kb.feedback_api import (
    dashboard,
    db,
    feedback,
    headers,
    health,
    journey,
    journey_openapi,
    limits,
    openapi,
    search,
)
from kb.feedback_api.articles import Articles
from kb.feedback_api.config import load_settings
from kb.feedback_api.errors import register_error_handlers
from kb.feedback_api.visitor import VisitorHasher
from werkzeug.middleware.proxy_fix import ProxyFix

API_PREFIX = "/api/v1"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the API; settings come from ``test_config``, then ``KB_*`` environment variables."""
    app = Flask(__name__, static_folder=None)  # the API serves no files of its own
    app.config.from_mapping(load_settings(test_config))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if app.config["TRUSTED_PROXIES"]:
        # Only then is X-Forwarded-For believed: the last N hops are our own proxies.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    register_error_handlers(app)
    db.init_app(app)
    app.extensions["kb_articles"] = Articles(app.config["SITE_DIR"])
    app.extensions["kb_visitor"] = VisitorHasher()
    limits.init_app(app)
    headers.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Every part of the API; each concern is one blueprint in its own module."""
    for bp in (feedback.bp, journey.bp, health.bp, openapi.bp):
        app.register_blueprint(bp, url_prefix=API_PREFIX)
    app.register_blueprint(search.bp)  # /api/v1/search
    app.register_blueprint(dashboard.bp)  # /dashboard
    app.extensions["kb_openapi_paths"] = {**search.OPENAPI_PATHS, **journey_openapi.OPENAPI_PATHS}
