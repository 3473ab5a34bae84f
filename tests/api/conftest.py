"""The feedback API (kb.feedback_api): votes, errors, OpenAPI, abuse."""

import uuid

import pytest

from tests.helpers import require

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_unreachable(url: str = REDIS_URL) -> str | None:
    """Why no Redis answers at ``url`` (None: one does)."""
    try:
        import redis  # optional: the redis extra
    except ImportError:
        return "the redis client is not installed (pip install -e '.[redis]')"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except redis.RedisError as exc:
        return f"no Redis at {url}: {exc}"
    return None


@pytest.fixture
def redis_limits():
    """Settings for rate limits counted in the local Redis, under a key prefix of this test's
    own (its keys are deleted afterwards). Skips without Redis (fails in CI)."""
    reason = redis_unreachable()
    require(reason is None, reason or "")
    import redis  # optional: the redis extra (present: redis_unreachable checked)

    prefix = f"kb-test-{uuid.uuid4().hex}"
    yield {"RATE_LIMIT_STORAGE": REDIS_URL, "RATE_LIMIT_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["memory", "redis"])
def limit_storage(request):
    """The rate limits' store, once per kind: per process in memory, and shared in Redis."""
    if request.param == "memory":
        return {"RATE_LIMIT_STORAGE": "memory://"}
    return request.getfixturevalue("redis_limits")
