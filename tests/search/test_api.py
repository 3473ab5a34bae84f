"""GET /api/v1/search and POST /api/v1/search/click: the contract, the one error shape,
the search log (no personal data) and the analytics queries the report uses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
from kb.feedback_api.openapi import COMPONENTS
from sqlalchemy import insert, select

from kb.review import searches as analytics
from kb.store.searchlog import normalise
from kb.store.tables import search_log

URL = "/api/v1/search"
ERROR_SCHEMA = COMPONENTS["schemas"]["Error"]


def logged(app) -> list[dict]:
    from kb.feedback_api.db import get_engine

    with get_engine(app).connect() as conn:
        return [
            dict(r) for r in conn.execute(select(search_log).order_by(search_log.c.id)).mappings()
        ]


def test_search_answers_the_contract(client):
    res = client.get(URL, query_string={"q": "refund", "lang": "en", "limit": 3})
    assert res.status_code == 200
    body = res.get_json()
    assert set(body) == {"results", "total", "suggestion"}
    top = body["results"][0]
    assert top["id"] == "request-a-refund-4c8e01" and top["path"] == "billing/request-a-refund.md"
    assert top["url"] == "billing/request-a-refund/" and "<mark>" in top["snippet"]
    assert len(res.headers["X-KB-Search-Id"]) == 24


def test_typo_gets_a_suggestion(client):
    body = client.get(URL, query_string={"q": "pasword"}).get_json()
    assert body["suggestion"] == "password"
    assert body["results"][0]["path"] == "account/reset-your-password.md"


def test_a_page_language_search_has_no_analysis_for_searches_the_default(client):
    # a German site's pages send lang=de: kb's search answers (in the index's language)
    body = client.get("/api/v1/search", query_string={"q": "refund", "lang": "de"}).get_json()
    assert body["results"] and body["results"][0]["path"] == "billing/request-a-refund.md"


@pytest.mark.parametrize(
    "params,status,field",
    [
        ({}, 422, "q"),
        ({"q": "   "}, 422, "q"),
        ({"q": "x" * 1001}, 422, "q"),
        ({"q": "refund", "lang": "French"}, 422, "lang"),
        ({"q": "refund", "limit": "ten"}, 422, "limit"),
        ({"q": "refund", "limit": "0"}, 422, "limit"),
        ({"q": "refund", "limit": "51"}, 422, "limit"),
    ],
)
def test_bad_parameters_use_the_one_error_shape(client, params, status, field):
    res = client.get(URL, query_string=params)
    assert res.status_code == status
    body = res.get_json()
    jsonschema.validate(body, ERROR_SCHEMA)
    assert body["error"]["field"] == field


def test_a_long_query_is_refused_with_the_limit_it_checks(client):
    assert client.get(URL, query_string={"q": "refund " + "x" * 993}).status_code == 200
    res = client.get(URL, query_string={"q": "x" * 1001})
    assert res.status_code == 422
    assert res.get_json()["error"]["message"] == "q is longer than 1000 characters"


def test_no_index_is_503_in_the_error_shape(make_app, tmp_path):
    app = make_app(SITE_DIR=tmp_path / "unbuilt")
    res = app.test_client().get(URL, query_string={"q": "refund"})
    assert res.status_code == 503
    jsonschema.validate(res.get_json(), ERROR_SCHEMA)
    assert res.get_json()["error"]["code"] == "search_unavailable"


def test_each_search_is_logged_without_personal_data(app, client):
    client.get(
        URL,
        query_string={"q": "Refund for jane@example.com order 12345678"},
        headers={"User-Agent": "secret-agent", "X-Forwarded-For": "203.0.113.9"},
    )
    client.get(URL, query_string={"q": "zzzqqq xxyyzz"})
    rows = logged(app)
    assert [r["query"] for r in rows] == ["refund for [email] order [number]", "zzzqqq xxyyzz"]
    assert rows[0]["results"] >= 1 and rows[1]["results"] == 0
    text = json.dumps(rows, default=str)
    assert "203.0.113.9" not in text and "secret-agent" not in text and "jane" not in text


def test_click_records_the_opened_result_once(app, client):
    res = client.get(URL, query_string={"q": "refund"})
    token = res.headers["X-KB-Search-Id"]
    top = res.get_json()["results"][0]
    beacon = json.dumps({"search": token, "article": top["id"], "rank": 1})
    # sendBeacon posts text/plain (no CORS preflight); JSON works as well
    assert client.post(f"{URL}/click", data=beacon, content_type="text/plain").status_code == 204
    again = client.post(f"{URL}/click", data=beacon, content_type="application/json")
    assert again.status_code == 404  # the first result opened is the one that counts
    row = logged(app)[0]
    assert (row["clicked_id"], row["clicked_rank"]) == (top["id"], 1)


@pytest.mark.parametrize(
    "body,status,field",
    [
        ("not json", 400, None),
        ("[1]", 400, None),
        ('{"article": "a"}', 422, "search"),
        ('{"search": "0123456789abcdef", "article": ""}', 422, "article"),
        ('{"search": "0123456789abcdef", "article": "a", "rank": true}', 422, "rank"),
        ('{"search": "0123456789abcdef", "article": "a"}', 404, None),
    ],
)
def test_bad_clicks_use_the_one_error_shape(client, body, status, field):
    res = client.post(f"{URL}/click", data=body, content_type="application/json")
    assert res.status_code == status
    jsonschema.validate(res.get_json(), ERROR_SCHEMA)
    assert res.get_json()["error"].get("field") == field


def test_normalise_masks_and_folds():
    assert normalise("  Call  +39 02 1234 5678  ") == "call +[number]"
    assert normalise("A" * 300) == "a" * 200


def _row(token, query, results, clicked=None, at=None):
    now = at or datetime.now(timezone.utc)
    return {
        "token": token,
        "query": query,
        "lang": "en",
        "results": results,
        "clicked_id": clicked,
        "clicked_at": now if clicked else None,
        "created_at": now,
    }


def test_analytics_zero_results_and_top_queries(engine):
    now = datetime.now(timezone.utc)
    old = now - timedelta(days=40)
    rows = [
        _row("t1", "refund", 3, "refund-id", now),
        _row("t2", "refund", 3, None, now),
        _row("t3", "cancel plan", 0, None, now),
        _row("t4", "cancel plan", 0, None, now),
        _row("t5", "sso", 0, None, now),
        _row("t6", "cancel plan", 0, None, old),
    ]
    with engine.begin() as conn:
        conn.execute(insert(search_log), rows)
    zero = analytics.zero_result_queries(engine)
    assert [(z["query"], z["count"]) for z in zero] == [("cancel plan", 3), ("sso", 1)]
    recent = analytics.zero_result_queries(engine, since=now - timedelta(days=7))
    assert [(z["query"], z["count"]) for z in recent] == [("cancel plan", 2), ("sso", 1)]
    top = analytics.top_queries(engine, limit=2)
    assert [(t["query"], t["count"], t["zero"], t["clicks"]) for t in top] == [
        ("cancel plan", 3, 3, 0),
        ("refund", 2, 0, 1),
    ]


def test_report_helpers_read_the_search_log(engine):
    with engine.begin() as conn:
        conn.execute(
            insert(search_log),
            [_row("z1", "cancel plan", 0), _row("z2", "sso", 0), _row("z3", "cancel plan", 0)],
        )
    zero = analytics.query_counts(analytics.zero_result_queries(engine))
    assert zero == [("cancel plan", 2), ("sso", 1)]


def test_outside_tests_the_log_is_written_in_the_background(make_app):
    app = make_app(TESTING=False)
    res = app.test_client().get(URL, query_string={"q": "refund"})
    assert res.status_code == 200
    app.extensions["kb_search_log"].flush()
    assert [r["query"] for r in logged(app)] == ["refund"]
