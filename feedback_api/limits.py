"""Rate limits: votes, views, contacts, searches and result clicks per client, and the
dashboard's failed logins.

Counters live in ``KB_RATE_LIMIT_STORAGE`` (``memory://`` by default: per process, so with
several gunicorn workers or instances use a shared store such as ``redis://host:6379``); every
limit, the login throttle included, counts in that one store. The views count through the
``limits`` strategy and storage directly (:func:`check_vote_limit`): flask-limiter's
per-request decorator machinery cost more CPU than storing the vote.

When the shared store cannot be reached, each process counts on its own in memory (as with
``memory://``) and logs a warning at most once a minute; the shared store is tried again every
few seconds. So a Redis outage never refuses a reader's vote or search, and never opens the
dashboard's password to unthrottled guessing: it only makes the limits per worker for a while.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from kb.feedback_api.db import get_engine
from kb.feedback_api.errors import ApiError
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from kb.core.errors import ConfigError

log = logging.getLogger("feedback_api")
SCOPE = "vote"
LOGIN_SCOPE = "login"
LOGIN_MAX_FAILURES = 5  # failed dashboard logins per client address ...
LOGIN_WINDOW_S = 15 * 60  # ... in this many seconds
LOGIN_RATE = f"{LOGIN_MAX_FAILURES}/{LOGIN_WINDOW_S} seconds"
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
# A Redis that does not answer must not hold a request for long: half a second, then the
# in-memory counters take over (redis-py waits forever by default).
REDIS_TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
RETRY_SHARED_S = 5.0  # after a failure, the shared store is tried again this much later
WARN_EVERY_S = 60.0

# What a 429 says, per scope (``{limit}``: the rate, e.g. "60 per 1 minute"). The one JSON
# error shape carries it (the dashboard's login page says how many minutes to wait).
MESSAGES = {
    SCOPE: "Too many votes from this client for this article ({limit}); try again later.",
    "search": "Too many searches from this client ({limit}); try again later.",
    "click": "Too many search result clicks from this client ({limit}); try again later.",
    "view": "Too many views of this article from this client ({limit}); try again later.",
    "contact": "Too many contacts from this client for this article ({limit}); try again later.",
}


def is_redis(uri: str) -> bool:
    return uri.split("://", 1)[0].lower() in REDIS_SCHEMES


def storage_options(uri: str, key_prefix: str | None = None) -> dict[str, Any]:
    """Options for the storage of ``uri``: bounded waits (and a key prefix) for Redis."""
    if not is_redis(uri):
        return {}
    options: dict[str, Any] = {k: v for k, v in REDIS_TIMEOUTS.items() if k not in uri}
    if key_prefix:
        options["key_prefix"] = key_prefix
    return options


class ProcessMemory(MemoryStorage):
    """limits' in-memory counters without a thread per hit. ``MemoryStorage`` expires old
    keys on a 10 ms timer thread that each hit starts anew once the last one has finished:
    beyond a few requests a second, a thread start on almost every request (a third of a
    view's time when measured on a busy machine). Here the same expiry runs inline, at most
    once a second."""

    EXPIRE_EVERY_S = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._expire_at = 0.0
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's per-hit timer
        now = time.monotonic()
        if now >= self._expire_at:
            self._expire_at = now + self.EXPIRE_EVERY_S
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


class Counters:
    """The app's rate-limit counters: the shared store, and each process's own in memory
    for the times the shared one fails."""

    def __init__(self, storage: Storage, uri: str) -> None:
        self.uri = uri
        # memory:// counts in this process: the same counts, without a thread per hit
        self.shared = ProcessMemory() if type(storage) is MemoryStorage else storage
        storage = self.shared
        self.local = ProcessMemory()
        self._down_until = 0.0
        self._warned = 0.0
        self._lock = threading.Lock()
        # A moving window for logins (exact: no burst at a window's edge) where the store
        # supports one; the cheaper sliding-window counter (O(1) per hit) for the rest.
        self._strategies = {
            (shared, exact): _strategy(store, exact)
            for shared, store in ((True, storage), (False, self.local))
            for exact in (True, False)
        }

    def strategy(self, scope: str) -> RateLimiter:
        shared = time.monotonic() >= self._down_until
        return self._strategies[shared, scope == LOGIN_SCOPE]

    def failed(self, scope: str, exc: Exception) -> RateLimiter:
        """Note that the shared store failed; the in-memory strategy to count with instead."""
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_SHARED_S
            warn = now - self._warned >= WARN_EVERY_S
            if warn:
                self._warned = now
        if warn:
            log.warning(
                "rate-limit storage %s failed (%s: %s): counting per process until it "
                "answers again",
                _redacted(self.uri),
                type(exc).__name__,
                exc,
            )
        return self._strategies[False, scope == LOGIN_SCOPE]

    def run(self, scope: str, call: str, item: RateLimitItem, *keys: str) -> Any:
        """``strategy.<call>(item, scope, *keys)`` on the shared store, else in memory."""
        strategy = self.strategy(scope)
        try:
            return getattr(strategy, call)(item, scope, *keys)
        except Exception as exc:  # noqa: BLE001 - any storage failure: count in memory
            if strategy.storage is self.local:
                raise
            return getattr(self.failed(scope, exc), call)(item, scope, *keys)


def _strategy(storage: Storage, exact: bool) -> RateLimiter:
    if exact and isinstance(storage, MovingWindowSupport):
        return MovingWindowRateLimiter(storage)
    return SlidingWindowCounterRateLimiter(storage)


def _redacted(uri: str) -> str:
    """The storage URI without its password."""
    scheme, _, rest = uri.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def init_app(app: Flask) -> None:
    uri = app.config["RATE_LIMIT_STORAGE"]
    try:
        limiter = _limiter(app, uri)
    except ConfigurationError as exc:  # e.g. memcached:// without its client installed
        raise ConfigError(f"invalid API settings:\n  KB_RATE_LIMIT_STORAGE: {exc}") from None
    app.extensions["kb_limiter"] = limiter
    app.extensions["kb_counters"] = Counters(limiter.limiter.storage, uri)


def _limiter(app: Flask, uri: str) -> Limiter:
    return Limiter(
        key_func=lambda: request.remote_addr or "unknown",  # no default limits
        app=app,
        storage_uri=uri,
        storage_options=storage_options(uri, app.config.get("RATE_LIMIT_KEY_PREFIX")),
        strategy="sliding-window-counter",
        headers_enabled=False,  # Retry-After comes with the 429; none on a 201
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )


def counters(app: Flask | None = None) -> Counters:
    return (app or current_app).extensions["kb_counters"]


@lru_cache(maxsize=16)
def _items(rate: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rate))


def client_key(address: str) -> str:
    """What the counters call a client: a hash of its address, never the address itself
    (see :meth:`kb.feedback_api.visitor.VisitorHasher.client_key`)."""
    app = current_app
    return app.extensions["kb_visitor"].client_key(
        get_engine(), address, str(app.config.get("SECRET_KEY") or "").encode()
    )


def retry_after(reset: float) -> int:
    """Whole seconds (at least 1) until ``reset`` (a time.time() stamp)."""
    return max(1, math.ceil(reset - time.time()))


def _hit(rate: str | None, scope: str, keys: tuple[str, ...], message: str) -> None:
    """Count one hit of this client under ``scope``; 429 with Retry-After when over ``rate``."""
    if not rate:
        return
    store = counters()
    client = client_key(request.remote_addr or "unknown")
    for item in _items(rate):
        if store.run(scope, "hit", item, client, *keys):
            continue
        reset = store.run(scope, "get_window_stats", item, client, *keys).reset_time
        raise ApiError(
            429,
            "rate_limited",
            MESSAGES[message].format(limit=item),
            headers={"Retry-After": str(retry_after(reset))},
        )


def check_vote_limit(article_id: str) -> None:
    """Count a vote of this client on this article (``KB_RATE_LIMIT``)."""
    _hit(current_app.config["RATE_LIMIT"], SCOPE, (article_id,), SCOPE)


def check_journey_limit(kind: str, article_id: str) -> None:
    """Count a view (``kind="view"``) or a contact (``"contact"``) of this client on this
    article; each kind may reach ``KB_RATE_LIMIT`` on its own."""
    _hit(current_app.config["RATE_LIMIT"], kind, (article_id,), kind)


def check_search_limit(kind: str = "search") -> None:
    """Count a search (``kind="search"``) or a result click (``"click"``) of this client:
    together they may not exceed ``KB_SEARCH_RATE_LIMIT`` (each is written to the search log)."""
    _hit(current_app.config.get("SEARCH_RATE_LIMIT"), "search", (), kind)


# -- the dashboard's failed logins -------------------------------------------------------------


def login_wait(who: str) -> int:
    """Seconds ``who`` must wait before trying a password again (0: may try now)."""
    store, who = counters(), client_key(who)
    for item in _items(LOGIN_RATE):
        if not store.run(LOGIN_SCOPE, "test", item, who):
            reset = store.run(LOGIN_SCOPE, "get_window_stats", item, who).reset_time
            return retry_after(reset)
    return 0


def login_failed(who: str) -> None:
    """Count a failed login of ``who``."""
    store, who = counters(), client_key(who)
    for item in _items(LOGIN_RATE):
        store.run(LOGIN_SCOPE, "hit", item, who)


def login_succeeded(who: str) -> None:
    """Forget ``who``'s failed logins."""
    store, who = counters(), client_key(who)
    for item in _items(LOGIN_RATE):
        store.run(LOGIN_SCOPE, "clear", item, who)
