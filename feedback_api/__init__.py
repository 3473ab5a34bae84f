"""kb's feedback API: a Flask application factory, ``gunicorn "feedback_api:create_app()"``."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, headers, limits
from .articles import Articles
from .config import load_settings
from .errors import register_error_handlers
from .visitor import VisitorHasher

API_PREFIX = "/api/v1"

# Parts of the API that other parts of kb provide, when their module exists:
# (module, default URL prefix when the blueprint has none of its own).
OPTIONAL_BLUEPRINTS = (("search.api", API_PREFIX), ("feedback_api.dashboard", "/dashboard"))


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
    from .feedback import bp as feedback_bp
    from .health import bp as health_bp
    from .openapi import bp as openapi_bp

    for bp in (feedback_bp, health_bp, openapi_bp):
        app.register_blueprint(bp, url_prefix=API_PREFIX)
    extra_paths: dict[str, Any] = {}
    for module_name, prefix in OPTIONAL_BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part of kb is not installed here
            raise
        app.register_blueprint(module.bp, url_prefix=module.bp.url_prefix or prefix)
        extra_paths.update(getattr(module, "OPENAPI_PATHS", {}))
    app.extensions["kb_openapi_paths"] = extra_paths
