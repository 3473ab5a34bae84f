"""POST /api/v1/views, /contacts and /search/outcome on SQLite and PostgreSQL: counted once,
readers by the daily visitor hash, crawlers not counted, contacts joined to their search."""

from __future__ import annotations

import pytest
from kb.feedback_api.db import get_engine
from sqlalchemy import select

from kb.store.retention import purge
from kb.store.tables import contacts, search_log, view_counts, view_ids, view_readers
from tests.helpers import new_submission

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def rows(app, table) -> list[dict]:
    with get_engine(app).connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def post(client, url, body, agent=BROWSER, addr="203.0.113.7", **kw):
    return client.post(
        url, json=body, headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": addr}, **kw
    )


def search_token(client) -> str:
    answer = client.get("/api/v1/search?q=password&lang=en")
    assert answer.status_code == 200
    return answer.headers["X-KB-Search-Id"]


def test_views_are_counted_once_per_id_with_unique_readers_per_day(app, client, articles):
    a, b = articles[0], articles[1]
    first = {"id": new_submission(), "article": a["id"], "arrival": "external"}
    answers = [post(client, "/api/v1/views", first) for _ in range(3)]  # the original + retries
    assert [r.status_code for r in answers] == [201, 200, 200]
    assert [r.get_json()["counted"] for r in answers] == [True, False, False]
    # The same reader again (a new page view), another reader, another article.
    post(client, "/api/v1/views", {**first, "id": new_submission(), "arrival": "article"})
    post(client, "/api/v1/views", {**first, "id": new_submission()}, addr="198.51.100.9")
    post(client, "/api/v1/views", {"id": new_submission(), "article": b["id"]})
    counts = {(r["article_id"], r["arrival"]): r["views"] for r in rows(app, view_counts)}
    assert counts == {(a["id"], "external"): 2, (a["id"], "article"): 1, (b["id"], "external"): 1}
    by_row = {r["article_id"]: r for r in rows(app, view_counts)}
    assert by_row[a["id"]]["revision"] == a["revision"] and by_row[a["id"]]["lang"] == "en"
    readers = rows(app, view_readers)
    assert sorted(r["article_id"] for r in readers) == sorted([a["id"], a["id"], b["id"]])
    assert all(len(r["visitor"]) == 32 and "203.0.113.7" not in r["visitor"] for r in readers)
    assert len(rows(app, view_ids)) == 4


def test_crawlers_and_bad_views_are_not_counted(app, client, articles):
    view = {"id": new_submission(), "article": articles[0]["id"]}
    bot = post(client, "/api/v1/views", view, agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert bot.status_code == 200 and bot.get_json() == {"id": view["id"], "counted": False}
    cases = [
        ({**view, "arrival": "teleport"}, 422, "arrival"),
        ({**view, "id": "x"}, 422, "id"),
        ({**view, "search": "not a token"}, 422, "search"),
        ({**view, "article": "no-such-article"}, 404, "article"),
    ]
    for body, status, field in cases:
        answer = post(client, "/api/v1/views", body)
        assert answer.status_code == status, body
        assert answer.get_json()["error"]["field"] == field
    raw = client.post("/api/v1/views", data="{", content_type="text/plain")
    assert raw.status_code == 400 and raw.get_json()["error"]["code"] == "malformed_json"
    assert rows(app, view_counts) == [] and rows(app, view_readers) == []


def test_a_view_sent_by_beacon_as_text_plain_counts_and_marks_its_search_opened(
    app, client, articles
):
    token = search_token(client)
    article = articles[0]["id"]
    body = f'{{"id": "{new_submission()}", "article": "{article}", "search": "{token}"}}'
    answer = client.post(
        "/api/v1/views", data=body, content_type="text/plain", headers={"User-Agent": BROWSER}
    )
    assert answer.status_code == 201
    [count] = rows(app, view_counts)
    assert (count["arrival"], count["views"]) == ("search", 1)
    [logged] = [r for r in rows(app, search_log) if r["token"] == token]
    assert logged["clicked_id"] == article


def test_a_contact_carries_its_search_and_answers_and_ends_the_search(app, client, articles):
    token = search_token(client)
    body = {
        "id": new_submission(),
        "article": articles[0]["id"],
        "search": token,
        "q": "ignored: the logged query is used",
        "csat": 1,
        "ces": 6,
        "reason": "not_answered",
    }
    answers = [post(client, "/api/v1/contacts", body) for _ in range(2)]
    assert [r.status_code for r in answers] == [201, 200]
    [contact] = rows(app, contacts)
    assert (contact["query"], contact["csat"], contact["ces"], contact["reason"]) == (
        "password",
        1,
        6,
        "not_answered",
    )
    assert contact["revision"] == articles[0]["revision"] and len(contact["visitor"]) == 32
    # A later vote does not undo the contact; a search without contact takes the latest vote.
    late = post(client, "/api/v1/search/outcome", {"search": token, "outcome": "satisfied"})
    assert late.status_code == 404
    other = search_token(client)
    for outcome in ("satisfied", "unsatisfied"):
        ok = post(client, "/api/v1/search/outcome", {"search": other, "outcome": outcome})
        assert ok.status_code == 204
    outcomes = {r["token"]: r["outcome"] for r in rows(app, search_log)}
    assert outcomes == {token: "contact", other: "unsatisfied"}
    bad = post(client, "/api/v1/search/outcome", {"search": other, "outcome": "contact"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "outcome"


def test_a_contact_without_search_keeps_the_typed_query_masked(app, client, articles):
    body = {"id": new_submission(), "article": articles[0]["id"], "q": "Refund  me@example.com"}
    assert post(client, "/api/v1/contacts", body).status_code == 201
    [contact] = rows(app, contacts)
    assert contact["query"] == "refund [email]" and contact["search"] is None


@pytest.mark.parametrize("kind", ["views", "contacts"])
def test_views_and_contacts_are_rate_limited_per_article(make_app, kind, articles):
    client = make_app(RATE_LIMIT="2/minute").test_client()
    answers = [
        post(client, f"/api/v1/{kind}", {"id": new_submission(), "article": articles[0]["id"]})
        for _ in range(3)
    ]
    assert [r.status_code for r in answers] == [201, 201, 429]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) >= 1


def test_purge_deletes_contacts_reader_hashes_and_view_ids_but_keeps_counts(app, client, articles):
    post(client, "/api/v1/views", {"id": new_submission(), "article": articles[0]["id"]})
    post(client, "/api/v1/contacts", {"id": new_submission(), "article": articles[0]["id"]})
    result = purge(get_engine(app), 1)
    assert (result.contacts, result.readers, result.view_ids) == (0, 0, 0)  # today's stay
    later = result.cutoff.replace(year=result.cutoff.year + 1)
    result = purge(get_engine(app), 1, now=later)
    assert (result.contacts, result.readers, result.view_ids) == (1, 1, 1)
    assert rows(app, contacts) == rows(app, view_readers) == rows(app, view_ids) == []
    assert [r["views"] for r in rows(app, view_counts)] == [1]


def test_a_view_from_search_learns_its_query_and_the_vote_ends_the_search(app, client, articles):
    token = search_token(client)
    view = {"id": new_submission(), "article": articles[0]["id"], "search": token}
    answer = post(client, "/api/v1/views", view)
    # the page's "contact support" link carries it as q
    assert answer.status_code == 201 and answer.get_json()["query"] == "password"
    [logged] = rows(app, search_log)
    assert logged["clicked_id"] == articles[0]["id"]  # the result opened, from the view itself
    assert "query" not in post(client, "/api/v1/views", {**view, "search": None}).get_json()
    vote = {"article": articles[0]["id"], "csat": 2, "submission": new_submission()}
    assert post(client, "/api/v1/feedback", {**vote, "search": token}).status_code == 201
    assert {r["token"]: r["outcome"] for r in rows(app, search_log)} == {token: "unsatisfied"}
    # the follow-up step of the same vote, now satisfied: the latest answer counts
    assert post(client, "/api/v1/feedback", {**vote, "csat": 5, "search": token}).status_code == 200
    assert [r["outcome"] for r in rows(app, search_log)] == ["satisfied"]
    bad = post(client, "/api/v1/feedback", {**vote, "search": "../../etc"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "search"
