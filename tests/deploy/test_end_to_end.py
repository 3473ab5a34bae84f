"""deploy/ as shipped, end to end: nginx in front (only paths, ports and a self-signed
certificate substituted), two gunicorn instances started with the units' own commands and
the example environment file, PostgreSQL, Redis rate limits, a built help center (all in
conftest.py), and a reader and a maintainer in Chromium through the proxy.

Each response carries exactly one Content-Security-Policy, the right one: the site's on pages,
the API's on /api/, the dashboard's on /dashboard/.
"""

from __future__ import annotations

import http.client
import json
from importlib import metadata

import pytest
from kb.feedback_api.dashboard import CSP as DASHBOARD_CSP
from kb.feedback_api.headers import API_CSP
from sqlalchemy import select

from kb.core.site_headers import site_policy
from kb.store.engine import make_engine
from kb.store.tables import feedback
from tests.deploy.stack import IPV6, PASSWORD, REDIS_URL, https_request, plain_status
from tests.helpers import SCREENSHOTS, require

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
ARTICLE = "account/reset-your-password/"


def one(response, name: str) -> str:
    """The only value of header ``name`` (fails when it is missing or repeated)."""
    headers = response.headers_array  # a method on a page's response, a list on a request's
    headers = headers() if callable(headers) else headers
    values = [h["value"] for h in headers if h["name"].lower() == name.lower()]
    assert len(values) == 1, (response.url, name, values)
    return values[0]


def test_a_reader_votes_and_a_maintainer_reads_the_dashboard_through_nginx(stack, browser):
    import redis  # the redis extra (the stack fixture skips without it)

    base = stack["base"]
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(base + ARTICLE)
        assert response.status == 200
        site_headers = site_policy(stack["site"])
        assert one(response, "Content-Security-Policy") == site_headers["Content-Security-Policy"]
        assert one(response, "X-Frame-Options") == "SAMEORIGIN"
        assert one(response, "Referrer-Policy") == "strict-origin-when-cross-origin"
        assert one(response, "Strict-Transport-Security").startswith("max-age=")

        page.click("[data-csat='2']")
        page.click("[data-ces='3']")
        page.fill("textarea[name=comment]", "The reset link expired before I got it.")
        page.click("[data-kb-feedback] button[type=submit]")
        page.wait_for_selector("[data-kb-feedback-done]")

        engine = make_engine(stack["url"])
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(feedback.c.csat, feedback.c.ces, feedback.c.comment))
                assert [tuple(r) for r in rows] == [
                    (2, 3, "The reset link expired before I got it.")
                ]
        finally:
            engine.dispose()
        # the votes were counted in Redis, under this deployment's prefix
        counters = redis.Redis.from_url(REDIS_URL).keys(f"*{stack['prefix']}*")
        assert counters, "no rate-limit counter in Redis"

        api = page.request.get(base + "api/v1/health")
        assert api.status == 200 and api.json()["status"] == "ok"
        assert one(api, "Content-Security-Policy") == API_CSP
        assert one(api, "X-Frame-Options") == "DENY"
        assert one(api, "Referrer-Policy") == "no-referrer"
        assert one(api, "Strict-Transport-Security").startswith("max-age=")

        login = page.goto(base + "dashboard/")
        assert "/dashboard/login" in page.url
        assert one(login, "Content-Security-Policy") == DASHBOARD_CSP
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-site-votes]")
        assert page.inner_text("[data-site-votes]").strip() == "1"
        dashboard = page.request.get(base + "dashboard/")
        assert dashboard.status == 200
        assert one(dashboard, "Content-Security-Policy") == DASHBOARD_CSP
        assert one(dashboard, "X-Frame-Options") == "DENY"
        cookie = next(c for c in context.cookies() if c["path"].startswith("/dashboard"))
        assert cookie["secure"] and cookie["httpOnly"]
        page.screenshot(path=str(SCREENSHOTS / "kb-deploy-dashboard.png"))
    finally:
        context.close()


def test_what_nginx_refuses_redirects_and_hides(stack, browser):
    base, ports = stack["base"], stack["ports"]
    context = browser.new_context(ignore_https_errors=True)
    try:
        request = context.request
        # the build's private folder: the site's 404 page; Material's search index is public
        for path in ("_kb/manifest.json", "_kb/revisions.json", "_kb/search/CURRENT"):
            hidden = request.get(base + path)
            assert hidden.status == 404, path
            assert "<html" in hidden.text() and "review_by" not in hidden.text(), path
        missing = request.get(base + "no-such-page/")
        assert missing.status == 404 and "<html" in missing.text()
        assert one(missing, "Content-Security-Policy").startswith("default-src 'self'")
        index = request.get(base + "search/search_index.json")
        assert index.status == 200 and index.json()["docs"]
        # an oversized vote: nginx answers in the API's one error shape
        big = request.post(
            base + "api/v1/feedback",
            data=json.dumps({"comment": "x" * 100_000}),
            headers={"Content-Type": "application/json"},
        )
        assert big.status == 413
        assert big.json()["error"]["code"] == "payload_too_large"
    finally:
        context.close()
    conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=3)
    try:
        conn.request("GET", "/" + ARTICLE)
        answer = conn.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == f"https://127.0.0.1/{ARTICLE}"
    finally:
        conn.close()


def test_nginx_answers_on_ipv6_too_and_names_no_version(stack):
    ports = stack["ports"]
    status, headers, _ = https_request(ports["https"], "GET", "/")
    assert status == 200 and headers["server"] == ["nginx"]  # server_tokens off
    # a folder without an index (nginx would say 403 on its own page): the site's 404 page
    status, headers, body = https_request(ports["https"], "GET", "/assets/kb/")
    assert status == 404 and b"<html" in body and len(headers["content-security-policy"]) == 1
    require(IPV6, "no IPv6 loopback on this machine: the [::] listen lines were left out")
    assert plain_status(ports["https"], "/" + ARTICLE, https=True, host="::1") == 200
    assert plain_status(ports["http"], "/" + ARTICLE, host="::1") == 301


def test_each_api_instance_has_its_own_control_socket(stack):
    """gunicorn 25.1+ opens a control socket; kb-api@.service gives each instance its own
    runtime folder for it (one shared ~/.gunicorn/gunicorn.ctl: the second replaced the
    first)."""
    version = tuple(int(p) for p in metadata.version("gunicorn").split(".")[:2])
    require(version >= (25, 1), f"gunicorn {version} opens no control socket")
    ports = stack["ports"]
    sockets = [
        stack["root"] / "run" / "kb-api" / str(ports[n]) / "gunicorn.ctl" for n in ("api1", "api2")
    ]
    for path in sockets:
        assert path.is_socket(), path
    assert sockets[0] != sockets[1]
