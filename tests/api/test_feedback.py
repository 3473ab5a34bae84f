"""POST /api/v1/feedback on SQLite and PostgreSQL: votes, follow-ups, the no-JS form."""

from __future__ import annotations

import json
import os
import time

import pytest
from kb.feedback_api.db import get_engine
from kb.feedback_api.redirects import thanks_url

from kb.store.votes import iter_votes
from tests.helpers import new_submission, vote_body

URL = "/api/v1/feedback"


def stored(app) -> list[dict]:
    return list(iter_votes(get_engine(app)))


def test_a_vote_is_stored_with_201_and_its_id(app, client, articles):
    body = vote_body(articles[0], csat=5, ces=6, comment="Clear steps.", reason=None, lang="en")
    response = client.post(URL, json=body)
    assert response.status_code == 201
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "submission": body["submission"],
    }
    [vote] = stored(app)
    assert vote["id"] == response.get_json()["id"]
    assert (vote["article_id"], vote["csat"], vote["ces"], vote["comment"], vote["source"]) == (
        articles[0]["id"],
        5,
        6,
        "Clear steps.",
        "widget",
    )


def test_follow_up_steps_update_the_same_vote_with_200(app, client, articles):
    body = vote_body(articles[0], csat=2)
    first = client.post(URL, json=body)
    second = client.post(URL, json={**body, "ces": 2})
    third = client.post(
        URL, json={**body, "comment": "Step 3 is missing.", "reason": "missing_steps"}
    )
    retry = client.post(
        URL, json={**body, "comment": "Step 3 is missing.", "reason": "missing_steps"}
    )
    assert [r.status_code for r in (first, second, third, retry)] == [201, 200, 200, 200]
    assert len({r.get_json()["id"] for r in (first, second, third, retry)}) == 1
    [vote] = stored(app)
    assert (vote["csat"], vote["ces"], vote["comment"], vote["reason"]) == (
        2,
        2,
        "Step 3 is missing.",
        "missing_steps",
    )


def test_revision_and_lang_default_to_the_articles_current_ones(app, client, articles):
    body = vote_body(articles[1])
    del body["revision"]
    assert client.post(URL, json=body).status_code == 201
    [vote] = stored(app)
    assert (vote["revision"], vote["lang"]) == (articles[1]["revision"], articles[1]["lang"])


def test_unknown_fields_are_ignored(app, client, articles):
    response = client.post(URL, json=vote_body(articles[0], website="", extra={"a": 1}))
    assert response.status_code == 201
    assert len(stored(app)) == 1


def test_a_hostile_comment_is_stored_verbatim_as_text(app, client, articles):
    hostile = '<img src=x onerror="alert(1)">'
    assert client.post(URL, json=vote_body(articles[0], comment=hostile)).status_code == 201
    assert stored(app)[0]["comment"] == hostile


def test_no_raw_address_is_stored_and_no_cookie_is_set(app, client, articles):
    response = client.post(
        URL,
        json=vote_body(articles[0]),
        environ_base={"REMOTE_ADDR": "198.51.100.77"},
        headers={"User-Agent": "TestBrowser/1.0"},
    )
    assert "Set-Cookie" not in response.headers
    [vote] = stored(app)
    assert len(vote["visitor"]) == 32
    assert "198.51.100.77" not in json.dumps(vote)


def test_the_same_reader_gets_the_same_visitor_hash(app, client, articles):
    for article in articles[:2]:
        client.post(URL, json=vote_body(article), environ_base={"REMOTE_ADDR": "192.0.2.1"})
    client.post(URL, json=vote_body(articles[0]), environ_base={"REMOTE_ADDR": "192.0.2.2"})
    a, b, c = (v["visitor"] for v in stored(app))
    assert a == b != c


# --- the form without JavaScript -------------------------------------------------------------


def test_the_form_redirects_back_to_the_article_with_a_thank_you(app, client, articles):
    article = articles[0]
    page = f"http://localhost/{article['url']}"
    response = client.post(
        URL,
        data={
            "article": article["id"],
            "revision": article["revision"],
            "csat": "2",
            "ces": "",
            "comment": "",
            "submission": "",
            "lang": "en",
        },
        headers={"Referer": page},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}?kb_feedback=thanks#kb-feedback-thanks"
    [vote] = stored(app)
    assert (vote["csat"], vote["ces"], vote["comment"], vote["source"]) == (2, None, None, "form")
    assert len(vote["submission"]) == 36  # made by the API: a static page cannot make one


def test_a_site_under_a_folder_keeps_its_folder(client, articles):
    article = articles[0]
    page = f"http://localhost/help/en/{article['url']}"
    response = client.post(
        URL, data={"article": article["id"], "csat": "4"}, headers={"Referer": page}
    )
    assert response.headers["Location"].startswith(f"http://localhost/help/en/{article['url']}?")


@pytest.mark.parametrize(
    "referrer",
    [
        "https://evil.example/phish/",
        "javascript:alert(1)",
        "//evil.example/",
        None,
    ],
)
def test_the_form_never_redirects_off_site(client, articles, referrer):
    article = articles[0]
    headers = {"Referer": referrer} if referrer else {}
    response = client.post(URL, data={"article": article["id"], "csat": "3"}, headers=headers)
    assert response.status_code == 303
    assert (
        response.headers["Location"] == f"/{article['url']}?kb_feedback=thanks#kb-feedback-thanks"
    )


def test_thanks_url_uses_the_configured_site_or_an_allowed_origin():
    common = {
        "referrer": None,
        "origin": None,
        "host_url": "https://api.example/",
        "allowed_origins": {"https://help.example"},
    }
    assert (
        thanks_url("a/b/", site_url="https://help.example/docs/", **common)
        == "https://help.example/docs/a/b/?kb_feedback=thanks#kb-feedback-thanks"
    )
    common["origin"] = "https://help.example"
    assert (
        thanks_url("a/b/", site_url=None, **common)
        == "https://help.example/a/b/?kb_feedback=thanks#kb-feedback-thanks"
    )
    common["origin"] = "https://other.example"
    assert thanks_url("a/b/", site_url=None, **common).startswith("/a/b/?")


# --- the manifest ----------------------------------------------------------------------------


def test_a_new_build_is_seen_without_a_restart(app, client, site_dir, articles):
    body = vote_body({"id": "brand-new-article", "revision": "r1"})
    assert client.post(URL, json=body).status_code == 404
    manifest_file = site_dir / "_kb" / "manifest.json"
    doc = json.loads(manifest_file.read_text("utf-8"))
    doc["articles"].append({**articles[0], "id": "brand-new-article", "url": "new/"})
    tmp = manifest_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc), "utf-8")
    os.replace(tmp, manifest_file)  # as kb build does
    assert client.post(URL, json=body).status_code == 201


def test_no_built_site_answers_503(make_app, tmp_path):
    app = make_app(SITE_DIR=tmp_path / "none")
    response = app.test_client().post(
        URL, json={"article": "x", "csat": 3, "submission": new_submission()}
    )
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "site_not_built"
    assert response.headers["Retry-After"]


# --- rate limits, proxies, CORS ---------------------------------------------------------------


def test_the_rate_limit_is_per_client_per_article(make_app, articles):
    client = make_app(RATE_LIMIT="3/minute").test_client()
    me = {"REMOTE_ADDR": "192.0.2.10"}
    codes = [
        client.post(URL, json=vote_body(articles[0]), environ_base=me).status_code for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    limited = client.post(URL, json=vote_body(articles[0]), environ_base=me)
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # Another article, another reader: not limited.
    assert client.post(URL, json=vote_body(articles[1]), environ_base=me).status_code == 201
    other = {"REMOTE_ADDR": "192.0.2.11"}
    assert client.post(URL, json=vote_body(articles[0]), environ_base=other).status_code == 201


def test_forwarded_for_is_believed_only_behind_a_trusted_proxy(make_app, articles):
    spoof = {"X-Forwarded-For": "203.0.113.1"}
    direct = make_app(RATE_LIMIT="1/minute").test_client()
    assert direct.post(URL, json=vote_body(articles[0]), headers=spoof).status_code == 201
    # Changing the header does not make a new client when no proxy is trusted.
    again = direct.post(
        URL, json=vote_body(articles[0]), headers={"X-Forwarded-For": "203.0.113.2"}
    )
    assert again.status_code == 429

    proxied = make_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES=1).test_client()
    for address in ("203.0.113.1", "203.0.113.2"):
        response = proxied.post(
            URL, json=vote_body(articles[0]), headers={"X-Forwarded-For": address}
        )
        assert response.status_code == 201


def test_cors_only_for_allowed_origins(make_app, articles):
    client = make_app(ALLOWED_ORIGINS="https://help.example").test_client()
    preflight = client.options(
        URL,
        headers={
            "Origin": "https://help.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://help.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"].lower() == "content-type"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    ok = client.post(URL, json=vote_body(articles[0]), headers={"Origin": "https://help.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://help.example"
    other = client.post(
        URL, json=vote_body(articles[0]), headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_storage_failure_answers_503_quickly(app, client, articles, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_a, **_k):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr("kb.feedback_api.feedback.upsert_vote", broken)
    start = time.perf_counter()
    response = client.post(URL, json=vote_body(articles[0]))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert time.perf_counter() - start < 5


def test_the_short_question_sets_votes_are_stored_on_the_csat_scale(app, client, articles):
    body = vote_body(articles[0], helpful=False)
    del body["csat"]
    assert client.post(URL, json=body).status_code == 201
    assert client.post(URL, json={**body, "comment": "No example."}).status_code == 200
    form = {"article": articles[1]["id"], "helpful": "yes", "submission": "", "lang": "en"}
    assert client.post(URL, data=form).status_code == 303
    refused = client.post(URL, json={**vote_body(articles[0]), "helpful": True})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "helpful"
    votes = sorted((v["article_id"], v["csat"], v["ces"], v["comment"]) for v in stored(app))
    assert votes == sorted(
        [(articles[0]["id"], 2, None, "No example."), (articles[1]["id"], 4, None, None)]
    )
