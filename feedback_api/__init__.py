"""kb's feedback API: a Flask application factory, ``gunicorn "feedback_api:create_app()"``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db
from .config import load_settings
from .errors import register_error_handlers

API_PREFIX = "/api/v1"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the API; settings come from ``test_config``, then ``KB_*`` environment variables."""
    app = Flask(__name__)
    app.config.from_mapping(load_settings(test_config))
    app.json.sort_keys = False
    if app.config["TRUSTED_PROXIES"]:
        # Only then is X-Forwarded-For believed: the last N hops are our own proxies.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    register_error_handlers(app)
    db.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Every part of the API; each concern is one blueprint in its own module."""
    from .health import bp as health_bp

    app.register_blueprint(health_bp, url_prefix=API_PREFIX)
