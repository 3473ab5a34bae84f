"""Attacks on the feedback API: abuse, hostile input, headers, and a database that is locked,
slow or gone. Every answer must use the one error shape; no attack may get a 5xx other than
the documented 503 (with Retry-After), and none may hang.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time

import pytest
from kb.feedback_api.db import get_engine
from sqlalchemy import text

from kb.core.vocabulary import COMMENT_MAX
from kb.store.transfer import export_votes
from kb.store.votes import iter_votes
from tests.helpers import free_port, new_submission, pg_unreachable, require, vote_body

URL = "/api/v1/feedback"


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert set(body["error"]) <= {"code", "message", "field"}
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


# -- abuse -------------------------------------------------------------------------------


def test_rate_limit_per_client_and_article_answers_429_with_retry_after(
    make_app, limit_storage, articles
):
    # per day: a sliding-window counter may let a request through across a window boundary
    app = make_app(RATE_LIMIT="3/day", **limit_storage)
    client = app.test_client()
    a, b = articles[0], articles[1]
    me, other = {"REMOTE_ADDR": "198.51.100.7"}, {"REMOTE_ADDR": "198.51.100.8"}
    codes = [client.post(URL, json=vote_body(a), environ_base=me).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    limited = client.post(URL, json=vote_body(a), environ_base=me)
    error = assert_error_shape(limited, 429, "rate_limited")
    assert "try again" in error["message"].lower()
    retry = int(limited.headers["Retry-After"])
    assert 1 <= retry <= 86_400
    # per article and per client: the same reader on another article, another reader here
    assert client.post(URL, json=vote_body(b), environ_base=me).status_code == 201
    assert client.post(URL, json=vote_body(a), environ_base=other).status_code == 201
    assert len(list(iter_votes(get_engine(app)))) == 5, "the refused vote must not be stored"


def test_rate_limit_also_covers_the_no_js_form_and_the_honeypot(make_app, limit_storage, articles):
    app = make_app(RATE_LIMIT="2/day", **limit_storage)
    client = app.test_client()
    form = {"article": articles[0]["id"], "csat": "4", "website": "http://spam.example"}
    codes = [client.post(URL, data=form).status_code for _ in range(3)]
    assert codes == [303, 303, 429]


@pytest.mark.parametrize("honey", ["http://spam.example", "x", 1, ["a"], {"a": 1}])
def test_honeypot_is_accepted_but_dropped(app, client, articles, honey):
    body = vote_body(articles[0], website=honey, comment="buy pills")
    response = client.post(URL, json=body)
    assert response.status_code == 201 and response.get_json()["submission"] == body["submission"]
    form = client.post(URL, data={"article": articles[0]["id"], "csat": "5", "website": str(honey)})
    assert form.status_code == 303
    assert len(list(iter_votes(get_engine(app)))) == 0


@pytest.mark.parametrize("honey", ["", "   ", None])
def test_an_empty_honeypot_is_a_person(app, client, articles, honey):
    assert client.post(URL, json=vote_body(articles[0], website=honey)).status_code == 201
    assert len(list(iter_votes(get_engine(app)))) == 1


@pytest.mark.parametrize(
    "article",
    ["no-such-article", "../../etc/passwd", "x" * 200, "<script>", "billing/request-a-refund.md"],
)
def test_votes_for_articles_not_in_the_manifest_are_refused(app, client, articles, article):
    response = client.post(URL, json={**vote_body(articles[0]), "article": article})
    error = assert_error_shape(response, 404, "unknown_article")
    assert error["field"] == "article"
    assert len(list(iter_votes(get_engine(app)))) == 0


def test_comment_length_is_limited(app, client, articles):
    ok = client.post(URL, json=vote_body(articles[0], comment="a" * COMMENT_MAX))
    assert ok.status_code == 201
    long = client.post(URL, json=vote_body(articles[0], comment="a" * (COMMENT_MAX + 1)))
    assert assert_error_shape(long, 422, "comment_too_long")["field"] == "comment"
    huge = client.post(
        URL, data=b'{"comment": "' + b"a" * 200_000 + b'"}', content_type="application/json"
    )
    assert_error_shape(huge, 413, "payload_too_large")
    assert len(list(iter_votes(get_engine(app)))) == 1


HOSTILE_BODIES = [
    (b"[" * 100_000 + b"]" * 100_000, 413),  # nesting bomb, also too large
    (b"[" * 5_000 + b"]" * 5_000, 400),  # deep nesting within the size limit
    (b'{"article": 1e999999, "csat": 4}', 422),
    (b'{"article": "a", "csat": 4, "csat": 99999999999999999999999999}', 422),
    (b'{"article": "\\ud800", "csat": 4, "submission": "abcdefgh1"}', 404),
    (b"\xff\xfe\x00{", 400),
    (b'{"__proto__": {"admin": true}, "article": "a", "csat": 4}', 422),
    (b"null", 400),
    (b'"a string"', 400),
    (b"", 400),
]


@pytest.mark.parametrize(
    ("raw", "status"), HOSTILE_BODIES, ids=[f"body{i}" for i in range(len(HOSTILE_BODIES))]
)
def test_hostile_json_bodies_get_a_clean_4xx(app, client, raw, status):
    response = client.post(URL, data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500, response.get_data(True)[:300]
    assert_error_shape(response, response.status_code)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data", "application/json; charset=utf-16"],
)
def test_other_content_types_are_refused_in_the_error_shape(client, content_type, articles):
    response = client.post(URL, data=b'{"article": "x", "csat": 4}', content_type=content_type)
    assert 400 <= response.status_code < 500
    assert_error_shape(response, response.status_code)


def test_html_and_formula_comments_are_stored_verbatim_and_exported_inert(app, client, articles):
    nasty = [
        "<script>alert(document.domain)</script>",
        '=HYPERLINK("http://evil","x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "<img src=x onerror=alert(1)>",
    ]
    for comment in nasty:
        assert client.post(URL, json=vote_body(articles[0], comment=comment)).status_code == 201
    stored = sorted(v["comment"] for v in iter_votes(get_engine(app)))
    # stored as text (control characters aside): escaping is the job of whoever shows it
    assert stored == sorted(c.strip() for c in nasty)
    out = io.StringIO()
    export_votes(get_engine(app), out, "csv")
    cells = [row["comment"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://evil","x")' in cells


# -- headers -----------------------------------------------------------------------------


def test_api_answers_carry_security_headers_and_no_cookie(client, articles):
    answers = [
        client.post(URL, json=vote_body(articles[0])),
        client.get("/api/v1/health"),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/nope"),
        client.post(URL, json={"csat": 9}),
    ]
    for r in answers:
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in r.headers


def test_cors_only_for_allowed_origins(make_app, articles):
    app = make_app(ALLOWED_ORIGINS="https://help.example.com")
    client = app.test_client()
    good = {"Origin": "https://help.example.com"}
    for origin in (
        "https://evil.example",
        "https://help.example.com.evil.example",
        "http://help.example.com",
        "null",
    ):
        r = client.post(URL, json=vote_body(articles[0]), headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers, origin
        pre = client.options(
            URL, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
        assert "Access-Control-Allow-Origin" not in pre.headers, origin
    r = client.post(URL, json=vote_body(articles[0]), headers=good)
    assert r.headers["Access-Control-Allow-Origin"] == "https://help.example.com"
    assert "Access-Control-Allow-Credentials" not in r.headers
    pre = client.options(URL, headers={**good, "Access-Control-Request-Method": "POST"})
    assert pre.headers["Access-Control-Allow-Origin"] == "https://help.example.com"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]


# -- faults ------------------------------------------------------------------------------


def _post_in_time(client, body, seconds: float):
    """Post ``body`` in a thread; fail if no answer comes within ``seconds``."""
    out: dict = {}

    def run():
        start = time.monotonic()
        out["response"] = client.post(URL, json=body)
        out["took"] = time.monotonic() - start

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the API did not answer within {seconds} s (it hangs)"
    return out["response"], out["took"]


@pytest.fixture
def sqlite_app(make_app, tmp_path, site_dir):
    from kb.feedback_api import create_app

    path = tmp_path / "locked" / "feedback.db"
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": site_dir,
            "DATABASE_URL": f"sqlite:///{path}",
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
            "DB_TIMEOUT": 1,
        }
    )
    yield app, path
    get_engine(app).dispose()


def test_sqlite_locked_by_another_process_gives_503_in_bounded_time(sqlite_app, articles):
    app, path = sqlite_app
    client = app.test_client()
    body = vote_body(articles[0])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response, took = _post_in_time(client, body, 10)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    error = assert_error_shape(response, 503, "database_unavailable")
    assert int(response.headers["Retry-After"]) >= 1 and "try again" in error["message"]
    assert took < 5
    # the retry the widget makes succeeds, and the vote exists once
    assert client.post(URL, json=body).status_code == 201
    assert client.post(URL, json=body).status_code == 200
    assert len(list(iter_votes(get_engine(app)))) == 1


def test_writer_queue_held_by_a_stuck_process_gives_503_not_a_hang(sqlite_app, articles):
    fcntl = pytest.importorskip("fcntl")
    app, path = sqlite_app
    client = app.test_client()
    assert client.post(URL, json=vote_body(articles[0])).status_code == 201
    lock = open(f"{path}.lock", "a+")  # noqa: SIM115 - held across the request
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        response, took = _post_in_time(client, vote_body(articles[1]), 10)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
    assert_error_shape(response, 503, "database_unavailable")
    assert "Retry-After" in response.headers and took < 5
    assert client.post(URL, json=vote_body(articles[1])).status_code == 201


def test_database_file_gone_read_only_gives_503(sqlite_app, articles):
    app, path = sqlite_app
    client = app.test_client()
    assert client.post(URL, json=vote_body(articles[0])).status_code == 201
    get_engine(app).dispose()
    broken = path.with_name("elsewhere.db")
    path.rename(broken)
    path.mkdir()  # a folder where the database was: nothing can open it
    try:
        response, _ = _post_in_time(client, vote_body(articles[1]), 10)
        assert_error_shape(response, 503)
        health = client.get("/api/v1/health")
        assert_error_shape(health, 503)
    finally:
        get_engine(app).dispose()
        path.rmdir()
        broken.rename(path)
    assert client.post(URL, json=vote_body(articles[1])).status_code == 201


def test_postgresql_down_gives_503_within_the_connect_timeout(
    make_app, articles, site_dir, tmp_path
):
    from kb.feedback_api import create_app

    port = free_port()  # nothing listens here: a stopped server
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": site_dir,
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/kb",
            "RATE_LIMIT": "off",
            "DB_TIMEOUT": 1,
        }
    )
    response, took = _post_in_time(app.test_client(), vote_body(articles[0]), 15)
    assert_error_shape(response, 503, "database_unavailable")
    assert "Retry-After" in response.headers and took < 10
    assert_error_shape(app.test_client().get("/api/v1/health"), 503)


def test_postgresql_table_locked_gives_503_not_a_hang(articles, site_dir, tmp_path):
    reason = pg_unreachable()
    require(reason is None, reason or "")
    from kb.feedback_api import create_app

    from tests.helpers import drop_pg_schema, fresh_pg_url

    url, schema = fresh_pg_url()
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": site_dir,
            "DATABASE_URL": url,
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
            "DB_TIMEOUT": 1,
        }
    )
    client = app.test_client()
    from kb.store.engine import make_engine

    other = make_engine(url)
    try:
        assert client.post(URL, json=vote_body(articles[0])).status_code == 201
        with other.connect() as holder:
            holder.execute(text("LOCK TABLE feedback IN ACCESS EXCLUSIVE MODE"))
            response, took = _post_in_time(client, vote_body(articles[1]), 15)
            holder.rollback()
        assert_error_shape(response, 503, "database_unavailable")
        assert took < 6
        assert client.post(URL, json=vote_body(articles[1])).status_code == 201
        assert len(list(iter_votes(get_engine(app)))) == 2
    finally:
        get_engine(app).dispose()
        other.dispose()
        drop_pg_schema(schema)


def test_same_submission_racing_from_threads_is_stored_once(app, articles):
    """Many retries of one vote at once (a flaky network) make one row."""
    body = vote_body(articles[0], csat=3)
    codes: list[int] = []

    def post():
        codes.append(app.test_client().post(URL, json=body).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes).count(201) == 1 and set(codes) <= {200, 201}, codes
    assert len(list(iter_votes(get_engine(app)))) == 1


def test_a_new_submission_never_reuses_another(app, client, articles):
    first = vote_body(articles[0])
    client.post(URL, json=first)
    hijack = client.post(URL, json=vote_body(articles[1], submission=first["submission"]))
    assert_error_shape(hijack, 409, "submission_conflict")
    assert new_submission() != first["submission"]


@pytest.mark.parametrize(
    "referrer",
    [
        "https://evil.example/billing/x/",
        "//evil.example/",
        "javascript:alert(1)",
        "https://evil.example\\@localhost/",
    ],
)
def test_the_no_js_form_is_not_an_open_redirect(client, articles, referrer):
    response = client.post(
        URL,
        data={"article": articles[0]["id"], "csat": "4"},
        headers={"Referer": referrer, "Origin": referrer},
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "evil" not in location and not location.startswith(("//", "javascript:"))


HOSTILE_QUERIES = [
    "*",
    "*a*",
    " ".join(["*a*"] * 50),
    "title:*",
    "pass~9",
    "x OR " * 150,
    "(" * 300,
    '"' * 500,
    "NOT " * 200 + "a",
    "a?b?c?*",
    "\x00",
    "🙂" * 300,
    "*" * 999,
    "passw~2 " * 100,
    "<script>alert(1)</script>",
    "a" * 1001,
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=[f"q{i}" for i in range(len(HOSTILE_QUERIES))])
def test_hostile_search_queries_get_an_answer_not_an_error(client, q):
    """Whoosh query syntax (wildcards, fuzzy, fields, boolean floods) is never interpreted
    in a way that fails or explodes: a result list, or 422 for a query that is too long."""
    response = client.get("/api/v1/search", query_string={"q": q})
    if len(q) > 1000:
        assert_error_shape(response, 422, "invalid_field")
        return
    assert response.status_code == 200, response.get_data(True)[:300]
    body = response.get_json()
    assert isinstance(body["results"], list) and body["total"] >= 0


def test_search_is_rate_limited_per_client(make_app, limit_storage):
    app = make_app(SEARCH_RATE_LIMIT="3/day", **limit_storage)
    client = app.test_client()
    me, other = {"REMOTE_ADDR": "198.51.100.9"}, {"REMOTE_ADDR": "198.51.100.10"}
    codes = [
        client.get("/api/v1/search", query_string={"q": "password"}, environ_base=me).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 200]
    limited = client.get("/api/v1/search", query_string={"q": "password"}, environ_base=me)
    assert_error_shape(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    click = client.post(
        "/api/v1/search/click", json={"search": "x" * 16, "article": "a"}, environ_base=me
    )
    assert_error_shape(click, 429, "rate_limited")
    assert (
        client.get("/api/v1/search", query_string={"q": "password"}, environ_base=other).status_code
        == 200
    )
