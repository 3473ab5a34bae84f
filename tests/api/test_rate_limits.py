"""Rate limits and the dashboard's login throttle, in memory and in a shared Redis.

``limit_storage`` runs a test once per store (memory://, the local Redis under a key prefix
of its own); ``redis_limits`` only with Redis. Two apps on one Redis stand for two gunicorn
workers (or two instances): a limit must hold across them.
"""

from __future__ import annotations

import logging
import re
import socket
import sys
from importlib import metadata

import pytest
from kb.feedback_api import create_app
from kb.feedback_api import limits as api_limits
from kb.feedback_api.config import load_settings

from kb.core.errors import ConfigError
from tests.helpers import vote_body as vote

URL = "/api/v1/feedback"
PASSWORD = "correct horse battery staple"
ME = {"REMOTE_ADDR": "198.51.100.21"}


def csrf(client) -> str:
    html = client.get("/dashboard/login", environ_base=ME).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, password: str):
    return client.post(
        "/dashboard/login",
        data={"csrf_token": csrf(client), "password": password},
        environ_base=ME,
    )


def closed_port() -> int:
    """A local port nobody listens on: a Redis that has gone away."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- each scope says what was limited ------------------------------------------------------


def test_a_limited_vote_says_votes(make_app, articles, limit_storage):
    client = make_app(RATE_LIMIT="1/day", **limit_storage).test_client()
    assert client.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 201
    limited = client.post(URL, json=vote(articles[0]), environ_base=ME)
    assert limited.status_code == 429
    error = limited.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("Too many votes from this client for this article")
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_limited_search_and_click_say_so(make_app, limit_storage):
    client = make_app(SEARCH_RATE_LIMIT="1/day", **limit_storage).test_client()
    search = {"q": "password"}
    assert client.get("/api/v1/search", query_string=search, environ_base=ME).status_code == 200
    limited = client.get("/api/v1/search", query_string=search, environ_base=ME)
    assert limited.status_code == 429
    assert limited.get_json()["error"]["message"].startswith("Too many searches from this client")
    click = client.post(
        "/api/v1/search/click", json={"search": "x" * 16, "article": "a"}, environ_base=ME
    )
    assert click.status_code == 429
    error = click.get_json()["error"]
    assert (error["code"], "votes" in error["message"]) == ("rate_limited", False)
    assert error["message"].startswith("Too many search result clicks from this client")


def test_the_login_throttle_says_how_long_to_wait(make_app, limit_storage):
    client = make_app(ADMIN_PASSWORD=PASSWORD, **limit_storage).test_client()
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    resp = login(client, PASSWORD)  # even the right password waits now
    assert resp.status_code == 429
    assert "Too many failed attempts" in resp.get_data(as_text=True)
    assert 1 <= int(resp.headers["Retry-After"]) <= 15 * 60


def test_a_successful_login_forgets_the_failures(make_app, limit_storage):
    client = make_app(ADMIN_PASSWORD=PASSWORD, **limit_storage).test_client()
    for _ in range(4):
        assert login(client, "wrong").status_code == 401
    assert login(client, PASSWORD).status_code == 302
    for _ in range(4):
        assert login(client, "wrong").status_code == 401  # a fresh count: 4 more, not 1


# -- several workers or instances share one count (Redis) ---------------------------------


def test_two_apps_on_one_redis_share_the_vote_limit(make_app, articles, redis_limits):
    first = make_app(RATE_LIMIT="3/day", **redis_limits).test_client()
    second = make_app(RATE_LIMIT="3/day", **redis_limits).test_client()
    codes = [
        c.post(URL, json=vote(articles[0]), environ_base=ME).status_code
        for c in (first, second, first)
    ]
    assert codes == [201, 201, 201]
    assert second.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 429
    assert first.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 429


def test_two_workers_on_one_redis_share_the_login_throttle(make_app, redis_limits):
    """The per-worker defect: with 2 workers an attacker had 10 guesses, not 5."""
    workers = [make_app(ADMIN_PASSWORD=PASSWORD, **redis_limits).test_client() for _ in "ab"]
    for n in range(5):
        assert login(workers[n % 2], "wrong").status_code == 401
    for worker in workers:
        assert login(worker, PASSWORD).status_code == 429


def test_another_key_prefix_counts_apart(make_app, articles, redis_limits):
    first = make_app(RATE_LIMIT="1/day", **redis_limits).test_client()
    other = {**redis_limits, "RATE_LIMIT_KEY_PREFIX": redis_limits["RATE_LIMIT_KEY_PREFIX"] + "x"}
    second = make_app(RATE_LIMIT="1/day", **other).test_client()
    assert first.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 201
    assert second.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 201


# -- when Redis goes away -----------------------------------------------------------------


def test_without_redis_votes_are_accepted_and_still_limited_per_process(make_app, articles, caplog):
    pytest.importorskip("redis")
    storage = f"redis://127.0.0.1:{closed_port()}/0"
    client = make_app(RATE_LIMIT="2/day", RATE_LIMIT_STORAGE=storage).test_client()
    with caplog.at_level(logging.WARNING, logger="feedback_api"):
        codes = [
            client.post(URL, json=vote(articles[0]), environ_base=ME).status_code for _ in range(3)
        ]
    assert codes == [201, 201, 429], "fail over to per-process counting, not open or shut"
    warnings = [r for r in caplog.records if "rate-limit storage" in r.getMessage()]
    assert len(warnings) == 1, "one warning a minute, not one per request"
    assert "counting per process" in warnings[0].getMessage()


def test_without_redis_the_login_throttle_still_throttles(make_app):
    pytest.importorskip("redis")
    storage = f"redis://127.0.0.1:{closed_port()}/0"
    client = make_app(ADMIN_PASSWORD=PASSWORD, RATE_LIMIT_STORAGE=storage).test_client()
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    assert login(client, PASSWORD).status_code == 429


def test_the_shared_store_is_used_again_once_it_answers(
    make_app, articles, redis_limits, monkeypatch
):
    app = make_app(RATE_LIMIT="2/day", **redis_limits)
    client = app.test_client()
    counters = api_limits.counters(app)
    shared = counters.strategy(api_limits.SCOPE)

    def away(*_args, **_kwargs):
        raise ConnectionError("Redis has gone away")

    with monkeypatch.context() as patch:
        patch.setattr(shared, "hit", away)
        assert client.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 201
    assert counters.strategy(api_limits.SCOPE) is not shared, "counting in memory for a while"
    counters._down_until = 0.0  # RETRY_SHARED_S have passed
    codes = [
        client.post(URL, json=vote(articles[0]), environ_base=ME).status_code for _ in range(3)
    ]
    assert codes == [201, 201, 429], "Redis counts again (memory saw only the first vote)"


# -- settings --------------------------------------------------------------------------------


def test_a_redis_store_without_the_redis_client_is_a_settings_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(ConfigError) as caught:
        load_settings({"PROJECT_DIR": tmp_path, "RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379"})
    message = str(caught.value)
    # the client itself, with the extra's bounds: kb is not installed from PyPI by name
    wanted = next(r for r in metadata.requires("kb-helpcenter") or [] if 'extra == "redis"' in r)
    assert wanted.startswith("redis")
    assert "KB_RATE_LIMIT_STORAGE" in message and "(kb's redis extra)" in message
    assert f"pip install '{wanted.split(';')[0].strip()}'" in message
    with pytest.raises(ConfigError):
        create_app({"PROJECT_DIR": tmp_path, "RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379"})


def test_an_unknown_store_is_a_settings_error(tmp_path):
    with pytest.raises(ConfigError, match="KB_RATE_LIMIT_STORAGE: 'sql://x' is not a storage"):
        load_settings({"PROJECT_DIR": tmp_path, "RATE_LIMIT_STORAGE": "sql://x"})


# -- the counters never hold a client's address -------------------------------------------


def stored_keys(app, settings) -> list[str]:
    """Every key the rate limits wrote, in memory or in Redis."""
    if settings["RATE_LIMIT_STORAGE"] == "memory://":
        shared = api_limits.counters(app).shared  # counters, and the login's moving window
        return [str(k) for k in [*shared.storage, *getattr(shared, "events", {})]]
    import redis  # optional: the redis extra (present: the redis_limits fixture checked)

    client = redis.Redis.from_url(settings["RATE_LIMIT_STORAGE"])
    try:
        return [k.decode() for k in client.scan_iter(f"{settings['RATE_LIMIT_KEY_PREFIX']}:*")]
    finally:
        client.close()


def test_counters_name_clients_by_a_hash_not_their_address(make_app, articles, limit_storage):
    app = make_app(RATE_LIMIT="5/day", ADMIN_PASSWORD=PASSWORD, **limit_storage)
    client = app.test_client()
    assert client.post(URL, json=vote(articles[0]), environ_base=ME).status_code == 201
    assert login(client, "wrong").status_code == 401
    keys = stored_keys(app, limit_storage)
    assert any("vote" in k for k in keys) and any("login" in k for k in keys), keys
    address = ME["REMOTE_ADDR"]
    assert not [k for k in keys if address in k], keys
    with app.app_context():
        hashed = api_limits.client_key(address)
    assert len(hashed) == 32 and all(hashed in k for k in keys), keys
    # another instance on the same database names the client alike (shared counts)
    with make_app(**limit_storage).app_context():
        assert api_limits.client_key(address) == hashed
