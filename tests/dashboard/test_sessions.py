"""Logging out, or changing KB_ADMIN_PASSWORD, ends every dashboard session: in this browser,
in any other, in a copy of the cookie, and in every worker or instance of the API."""

from __future__ import annotations

from tests.dashboard.helpers import csrf, dashboard_app, login

COOKIE = "kb_dashboard"


def cookie_of(client) -> str:
    cookie = client.get_cookie(COOKIE, path="/dashboard")
    assert cookie is not None
    return cookie.value


def browser_with(app, cookie: str):
    """Another browser (or a thief) presenting ``cookie``."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie, path="/dashboard")
    return other


def test_logout_ends_every_session_everywhere(site):
    worker_a, worker_b = dashboard_app(site), dashboard_app(site)  # two workers, one database
    first, second = worker_a.test_client(), worker_b.test_client()
    assert login(first).status_code == 302 and login(second).status_code == 302
    kept = cookie_of(first)  # a copy of the cookie, as a stolen or backed-up one would be
    assert browser_with(worker_b, kept).get("/dashboard/").status_code == 200

    token = csrf(first, "/dashboard/")
    assert first.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    for client in (first, second, browser_with(worker_a, kept), browser_with(worker_b, kept)):
        resp = client.get("/dashboard/")
        assert resp.status_code == 302 and "/dashboard/login" in resp.headers["Location"]

    again = worker_b.test_client()  # logging in again works, in the new generation
    assert login(again).status_code == 302
    assert again.get("/dashboard/").status_code == 200


def test_a_changed_admin_password_ends_every_session(site):
    before = dashboard_app(site).test_client()
    assert login(before).status_code == 302
    kept = cookie_of(before)
    assert before.get("/dashboard/").status_code == 200
    restarted = dashboard_app(site, ADMIN_PASSWORD="a new password after a leak")
    assert browser_with(restarted, kept).get("/dashboard/").status_code == 302
    same = dashboard_app(site)  # a restart with the same password keeps the session
    assert browser_with(same, kept).get("/dashboard/").status_code == 200
