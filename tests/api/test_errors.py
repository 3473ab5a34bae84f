"""Every error path of the API answers one shape: {"error": {"code", "message", "field"?}}.

Each row of ERRORS is one way to get an error; the test checks its status, its ``code``, the
``field`` it names, and that the body matches the Error schema of the OpenAPI document.
"""

from __future__ import annotations

import jsonschema
import pytest
from kb.feedback_api.openapi import COMPONENTS

from kb.core.votes import FIELDS
from tests.helpers import new_submission

URL = "/api/v1/feedback"
ERROR_SCHEMA = COMPONENTS["schemas"]["Error"]


def good(articles, **fields):
    return {"article": articles[0]["id"], "csat": 4, "submission": new_submission(), **fields}


# (name, request builder (articles -> kwargs for client.open), status, code, field)
ERRORS = [
    ("unknown route", lambda a: {"path": "/api/v1/nope"}, 404, "not_found", None),
    ("wrong method", lambda a: {"path": URL, "method": "GET"}, 405, "method_not_allowed", None),
    (
        "delete health",
        lambda a: {"path": "/api/v1/health", "method": "DELETE"},
        405,
        "method_not_allowed",
        None,
    ),
    (
        "malformed JSON",
        lambda a: {"data": '{"csat": ', "content_type": "application/json"},
        400,
        "malformed_json",
        None,
    ),
    ("JSON array", lambda a: {"json": [1, 2]}, 400, "malformed_json", None),
    (
        "not UTF-8",
        lambda a: {"data": b"\xff\xfe\xfa", "content_type": "application/json"},
        400,
        "malformed_json",
        None,
    ),
    (
        "deep nesting",
        lambda a: {"data": "[" * 20000, "content_type": "application/json"},
        400,
        "malformed_json",
        None,
    ),
    (
        "plain text",
        lambda a: {"data": "csat=4", "content_type": "text/plain"},
        415,
        "unsupported_media_type",
        None,
    ),
    (
        "multipart",
        lambda a: {"data": {"csat": "4"}, "content_type": "multipart/form-data"},
        415,
        "unsupported_media_type",
        None,
    ),
    ("no content type", lambda a: {"data": b"{}"}, 415, "unsupported_media_type", None),
    (
        "body too large",
        lambda a: {"json": good(a, comment="x" * 70_000)},
        413,
        "payload_too_large",
        None,
    ),
    (
        "form too large",
        lambda a: {"data": {"article": "x", "comment": "x" * 70_000}},
        413,
        "payload_too_large",
        None,
    ),
    (
        "unknown article",
        lambda a: {"json": good(a, article="no-such-article")},
        404,
        "unknown_article",
        "article",
    ),
    (
        "missing article",
        lambda a: {"json": {"csat": 3, "submission": new_submission()}},
        422,
        "invalid_field",
        "article",
    ),
    ("missing csat", lambda a: {"json": good(a, csat=None)}, 422, "invalid_field", "csat"),
    ("csat 0", lambda a: {"json": good(a, csat=0)}, 422, "invalid_field", "csat"),
    ("csat 6", lambda a: {"json": good(a, csat=6)}, 422, "invalid_field", "csat"),
    ("csat as text", lambda a: {"json": good(a, csat="4")}, 422, "invalid_field", "csat"),
    ("csat true", lambda a: {"json": good(a, csat=True)}, 422, "invalid_field", "csat"),
    ("csat 4.5", lambda a: {"json": good(a, csat=4.5)}, 422, "invalid_field", "csat"),
    ("ces 8", lambda a: {"json": good(a, ces=8)}, 422, "invalid_field", "ces"),
    (
        "form csat 9",
        lambda a: {"data": {"article": a[0]["id"], "csat": "9"}},
        422,
        "invalid_field",
        "csat",
    ),
    (
        "comment too long",
        lambda a: {"json": good(a, comment="é" * 2001)},
        422,
        "comment_too_long",
        "comment",
    ),
    (
        "comment not text",
        lambda a: {"json": good(a, comment=["x"])},
        422,
        "invalid_field",
        "comment",
    ),
    (
        "unknown reason",
        lambda a: {"json": good(a, reason="boring")},
        422,
        "invalid_field",
        "reason",
    ),
    ("bad lang", lambda a: {"json": good(a, lang="english please")}, 422, "invalid_field", "lang"),
    (
        "revision too long",
        lambda a: {"json": good(a, revision="r" * 41)},
        422,
        "invalid_field",
        "revision",
    ),
    (
        "missing submission",
        lambda a: {"json": good(a, submission=None)},
        422,
        "invalid_field",
        "submission",
    ),
    (
        "bad submission",
        lambda a: {"json": good(a, submission="<script>")},
        422,
        "invalid_field",
        "submission",
    ),
]


def check_shape(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"].get("field") == field


@pytest.mark.parametrize("name, build, status, code, field", ERRORS, ids=[e[0] for e in ERRORS])
def test_every_error_has_the_one_shape(client, articles, name, build, status, code, field):
    kwargs = build(articles)
    path = kwargs.pop("path", URL)
    method = kwargs.pop("method", "POST")
    check_shape(client.open(path, method=method, **kwargs), status, code, field)


def test_submission_on_another_article_is_a_conflict(client, articles):
    body = good(articles)
    assert client.post(URL, json=body).status_code == 201
    moved = client.post(URL, json={**body, "article": articles[1]["id"]})
    check_shape(moved, 409, "submission_conflict", "submission")


def test_rate_limited(make_app, articles):
    client = make_app(RATE_LIMIT="1/minute").test_client()
    client.post(URL, json=good(articles))
    response = client.post(URL, json=good(articles))
    check_shape(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_unexpected_failure_is_a_500_without_details(client, articles, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("kb.feedback_api.feedback.parse_vote", boom)
    response = client.post(URL, json=good(articles))
    check_shape(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)


def test_a_database_without_schema_is_a_503(make_app, tmp_path, articles):
    client = make_app(
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}", AUTO_UPGRADE=False
    ).test_client()
    check_shape(client.post(URL, json=good(articles)), 503, "database_unavailable")
    check_shape(client.get("/api/v1/health"), 503, "schema_outdated")


def test_an_unreachable_database_is_a_503(make_app, articles):
    client = make_app(
        DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none", AUTO_UPGRADE=False
    ).test_client()
    check_shape(client.get("/api/v1/health"), 503, "database_unavailable")
    check_shape(client.post(URL, json=good(articles)), 503, "database_unavailable")


def test_the_error_table_covers_every_vote_field():
    assert set(FIELDS) <= {row[4] for row in ERRORS}
