"""Rate limits with flask-limiter: ``KB_RATE_LIMIT`` votes per client per article.

Counters live in ``KB_RATE_LIMIT_STORAGE`` (``memory://`` by default: per process, so with
several gunicorn workers or instances use a shared store such as ``redis://host:6379``).
The vote view counts each vote through the Limiter's strategy and storage directly
(:func:`check_vote_limit`): its per-request decorator machinery cost more CPU than storing
the vote. A broken store lets votes through rather than refusing every reader.
"""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many

from .errors import ApiError

log = logging.getLogger("feedback_api")
SCOPE = "vote"


def init_app(app: Flask) -> None:
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "unknown",  # no default limits: only votes
        app=app,
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        strategy="sliding-window-counter",  # O(1) per hit, unlike moving-window
        headers_enabled=False,  # Retry-After comes with the 429; none on a 201
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    app.extensions["kb_limiter"] = limiter


@lru_cache(maxsize=16)
def _items(rate: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rate))


def _hit(rate: str | None, scope: str, keys: tuple[str, ...], what: str) -> None:
    """Count one hit of this client under ``scope``; 429 with Retry-After when over ``rate``.
    A broken store lets the request through rather than refusing every reader."""
    if not rate:
        return
    strategy = current_app.extensions["kb_limiter"].limiter
    client = request.remote_addr or "unknown"
    for item in _items(rate):
        try:
            allowed = strategy.hit(item, scope, client, *keys)
            reset = 0.0 if allowed else strategy.get_window_stats(
                item, scope, client, *keys).reset_time
        except Exception:  # noqa: BLE001 - storage down: let the request through
            log.exception("rate-limit storage failed; the %s is not limited", scope)
            return
        if not allowed:
            wait = max(1, math.ceil(reset - time.time()))
            raise ApiError(429, "rate_limited", f"Too many {what} ({item}); try again later.",
                           headers={"Retry-After": str(wait)})


def check_vote_limit(article_id: str) -> None:
    """Count a vote of this client on this article (``KB_RATE_LIMIT``)."""
    _hit(current_app.config["RATE_LIMIT"], SCOPE, (article_id,),
         "votes from this client for this article")


def check_search_limit() -> None:
    """Count a search (or a result click) of this client (``KB_SEARCH_RATE_LIMIT``; each
    search is written to the search log)."""
    _hit(current_app.config.get("SEARCH_RATE_LIMIT"), "search", (), "searches from this client")
