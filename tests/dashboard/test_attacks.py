"""Attacks on the maintainers' dashboard and on what carries readers' comments elsewhere.

tests/dashboard/test_dashboard.py checks the door as designed; these try to get around it: every
state-changing route (found in the URL map, so new ones are covered) without, with a wrong or
with another session's CSRF token; spoofed client addresses and a flood of addresses against
the login throttle; session fixation; hostile comments and search queries on every page; and
webhook payloads that stay inert when a receiver pastes them into HTML.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.dashboard.helpers import PASSWORD, WEAK, csrf, login
from tests.dashboard.helpers import dashboard_app as make_app

PAYLOADS = [
    '<script>alert("xss")</script>',
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
]


@pytest.fixture
def app(site):  # noqa: F811
    return make_app(site)


def post_routes(app) -> list[str]:
    """Every POST route of the dashboard, with sample values for its path parameters."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/dashboard") and "POST" in (rule.methods or ()):
            path = rule.rule.replace("<int:feedback_id>", "1").replace("<path:article_id>", WEAK)
            out.append(path)
    return sorted(out)


def test_every_post_route_refuses_missing_wrong_and_foreign_csrf_tokens(app):
    routes = post_routes(app)
    assert "/dashboard/login" in routes and len(routes) >= 4, routes
    victim, attacker = app.test_client(), app.test_client()
    login(victim)
    login(attacker)
    foreign = csrf(attacker, "/dashboard/")
    for path in routes:
        for data in ({}, {"csrf_token": "x" * 43}, {"csrf_token": foreign}, {"csrf_token": ""}):
            resp = victim.post(path, data={**data, "note": "pwned", "password": PASSWORD})
            assert resp.status_code == 400, (path, data, resp.status_code)
    # nothing changed: the victim is still logged in, no flag acknowledged
    html = victim.get("/dashboard/flags").get_data(as_text=True)
    assert victim.get("/dashboard/").status_code == 200 and "pwned" not in html


def test_csrf_token_in_a_query_string_or_json_is_not_accepted(app):
    client = app.test_client()
    login(client)
    token = csrf(client, "/dashboard/")
    path = f"/dashboard/articles/{WEAK}/acknowledge"
    assert client.post(f"{path}?csrf_token={token}", data={"note": "q"}).status_code == 400
    assert client.post(path, json={"csrf_token": token, "note": "j"}).status_code == 400


def test_spoofed_forwarded_for_does_not_reset_the_login_throttle(app):
    client = app.test_client()
    for i in range(5):
        resp = client.post(
            "/dashboard/login",
            data={"csrf_token": csrf(client), "password": "wrong"},
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        )
        assert resp.status_code == 401
    resp = client.post(
        "/dashboard/login",
        data={"csrf_token": csrf(client), "password": PASSWORD},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert resp.status_code == 429, "X-Forwarded-For is trusted only behind KB_TRUSTED_PROXIES"


def test_a_flood_of_addresses_does_not_free_a_throttled_one(app):
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    client = app.test_client()
    for _ in range(5):
        client.post(
            "/dashboard/login",
            data={"csrf_token": csrf(client), "password": "x"},
            environ_base=attacker,
        )
    with app.test_request_context(environ_base=attacker):
        from kb.feedback_api import dashboard_auth as auth
        from kb.feedback_api import limits

        # one failure each from 10,050 fresh addresses (counted straight into the rate-limit
        # store: hashing that many passwords would take minutes), then one more through the
        # login code; the store expires counters by itself and never evicts a throttled one
        for n in range(10_050):
            limits.login_failed(f"2001:db8::{n:x}")
        auth.check_password("2001:db8::ffff:1", "wrong")
        assert auth.throttled("203.0.113.66") > 0
    resp = client.post(
        "/dashboard/login",
        data={"csrf_token": csrf(client), "password": PASSWORD},
        environ_base=attacker,
    )
    assert resp.status_code == 429


def test_login_starts_a_new_session(app):
    client = app.test_client()
    client.get("/dashboard/login")
    before = client.get_cookie("kb_dashboard", path="/dashboard")
    login(client)
    after = client.get_cookie("kb_dashboard", path="/dashboard")
    assert before is not None and after is not None and before.value != after.value
    # the pre-login cookie (e.g. planted by an attacker) grants nothing
    planted = app.test_client()
    planted.set_cookie("kb_dashboard", before.value, path="/dashboard")
    assert planted.get("/dashboard/").status_code == 302


def test_the_plain_password_does_not_stay_in_the_app_config(app):
    assert PASSWORD not in json.dumps({k: str(v) for k, v in app.config.items()})


@pytest.fixture
def hostile_site(site):  # noqa: F811
    """Every payload as a real vote comment (through the API) and as a search query."""
    from kb.core.manifest import read_manifest

    app = make_app(site)
    client = app.test_client()
    art = {a["id"]: a for a in read_manifest(site / "site")["articles"]}[WEAK]
    for n, payload in enumerate(PAYLOADS):
        resp = client.post(
            "/api/v1/feedback",
            json={
                "article": WEAK,
                "revision": art["revision"],
                "csat": 1,
                "comment": payload,
                "submission": f"hostile-{n:04d}-aaaa",
            },
            environ_base={"REMOTE_ADDR": f"10.1.1.{n}"},
        )
        assert resp.status_code == 201, resp.get_data(True)
        client.get("/api/v1/search", query_string={"q": payload})
    return app


def test_hostile_comments_and_queries_are_inert_on_every_page(hostile_site):
    client = hostile_site.test_client()
    login(client)
    pages = [
        "/dashboard/",
        "/dashboard/flags",
        f"/dashboard/articles/{WEAK}",
        "/dashboard/searches",
    ]
    shown = 0
    for path in pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        html = resp.get_data(as_text=True)
        for payload in PAYLOADS:
            if payload.startswith("javascript:"):
                assert f'href="{payload}' not in html and f'src="{payload}' not in html
                continue
            assert payload not in html, (path, payload)
        shown += html.count("&lt;script&gt;") + html.count("\\u003cscript\\u003e")
        # every <script> on the page is kb's own file or a JSON data block
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
    assert shown > 0, "the hostile comments should be shown, escaped"


def test_webhook_payloads_carry_comments_inert(hostile_site, site):  # noqa: F811
    from kb.feedback_api.db import get_engine

    from kb.review import webhooks

    engine = get_engine(hostile_site)
    added = webhooks.enqueue(
        engine,
        "https://hooks.example/kb",
        "vote.low",
        "vote.low:x",
        {"vote": {"comment": PAYLOADS[1]}},
    )
    assert added
    sent: list[bytes] = []
    result = webhooks.deliver(
        engine, "s3cret", post=lambda url, body, headers: sent.append(body) or 204
    )
    assert result.sent == 1
    body = sent[0]
    assert b"<" not in body and b">" not in body
    assert json.loads(body)["vote"]["comment"] == PAYLOADS[1]  # the same text once parsed


def test_report_cells_are_inert_in_markdown_and_spreadsheets():
    """``kb report --format markdown`` goes into pull requests and quotes readers' search
    queries; ``--format csv`` is opened in spreadsheets."""
    from types import SimpleNamespace

    from kb.cli.report import _md_cell, _md_code, as_csv

    query = "[win a prize](https://evil.example) <img src=x onerror=alert(1)> ![i](x)"
    cell = _md_cell(f"5 searches on its topic found nothing: '{query}' (5)")
    assert "](" not in cell.replace("\\](", "") and "<img" not in cell.replace("\\<img", "")
    assert _md_code("billing/how_to.md") == "billing/how_to.md"  # code spans stay readable

    row = SimpleNamespace(
        before=None,
        to_dict=lambda: {
            "id": "a",
            "path": "a.md",
            "title": '=HYPERLINK("http://evil","x")',
            "owner": "@me",
            "votes": 3,
            "csat": 0.5,
            "reasons": ["-1+1 reason"],
            "before": None,
        },
    )
    import csv
    import io

    [cells] = list(csv.DictReader(io.StringIO(as_csv([row]))))
    assert cells["title"].startswith("'=HYPERLINK(") and cells["owner"] == "'@me"
    assert cells["reasons"] == "'-1+1 reason" and cells["votes"] == "3"
