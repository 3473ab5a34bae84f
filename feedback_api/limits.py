"""Rate limits with flask-limiter: ``KB_RATE_LIMIT`` votes per client per article.

Counters live in ``KB_RATE_LIMIT_STORAGE`` (``memory://`` by default: per process, so with
several gunicorn workers or instances use a shared store such as ``redis://host:6379``).
A broken store lets votes through rather than refusing every reader.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, current_app, g, request
from flask_limiter import Limiter


def init_app(app: Flask) -> None:
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "unknown",  # no default limits: only votes
        app=app,
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        strategy="sliding-window-counter",  # O(1) per hit, unlike moving-window
        headers_enabled=False,  # Retry-After on 429 comes from errors.py; none on a 201
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    # Every request would otherwise be checked twice (before it, and in the vote view):
    # only the vote view's explicit check counts.
    limiter.request_filter(lambda: not g.get("kb_vote_check", False))
    app.extensions["kb_limiter"] = limiter


def vote_limit(article_id: str):
    """A context manager that raises 429 when this client voted too often on this article."""
    rate = current_app.config["RATE_LIMIT"]
    if not rate:
        return nullcontext()
    limiter: Limiter = current_app.extensions["kb_limiter"]
    client = request.remote_addr or "unknown"
    g.kb_vote_check = True
    return limiter.limit(rate, key_func=lambda: f"{client}|{article_id}", scope="vote")
