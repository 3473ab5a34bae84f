"""The dashboard through Flask's test client: the door, the pages, the actions."""

import re

import pytest
from kb.feedback_api import create_app

from tests.dashboard.helpers import HOSTILE, PASSWORD, WEAK, csrf, login
from tests.dashboard.helpers import dashboard_app as make_app


def test_closed_without_a_password(site):
    resp = create_app({"PROJECT_DIR": str(site), "TESTING": True}).test_client().get("/dashboard/")
    assert resp.status_code == 503 and b"KB_ADMIN_PASSWORD" in resp.data


def test_pages_need_a_login(client):
    resp = client.get("/dashboard/flags")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/dashboard/login?next=/dashboard/flags")


def test_login_sets_a_safe_session_cookie(client):
    resp = login(client, next_url="/dashboard/flags")
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard/flags"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("kb_dashboard=")
    for part in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"):
        assert part in cookie
    assert "Secure" not in cookie  # plain HTTP in tests
    assert client.get("/dashboard/flags").status_code == 200


def test_cookie_is_secure_behind_https(site):
    c = make_app(site).test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        c.get("/dashboard/login", base_url="https://help.example").text,
    ).group(1)
    resp = c.post(
        "/dashboard/login",
        base_url="https://help.example",
        data={"csrf_token": token, "password": PASSWORD},
    )
    assert "Secure" in resp.headers["Set-Cookie"]


def test_the_password_is_kept_only_as_a_hash(site):
    app = make_app(site)
    stored = app.extensions["kb_dashboard"]["password_hash"]
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_wrong_password_then_throttled(client):
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    resp = login(client, PASSWORD)  # even the right one waits now
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/dashboard/..//evil",
        "/\\evil.example",
        "/api/v1/health",
    ],
)
def test_no_open_redirect_after_login(client, target):
    resp = login(client, next_url=target)
    assert resp.headers["Location"] == "/dashboard/"


def test_every_form_needs_the_csrf_token(client):
    assert client.post("/dashboard/login", data={"password": PASSWORD}).status_code == 400
    login(client)
    assert (
        client.post(f"/dashboard/articles/{WEAK}/acknowledge", data={"note": "x"}).status_code
        == 400
    )
    assert client.post("/dashboard/logout").status_code == 400


def test_overview_shows_site_scores_and_comments_escaped(client):
    login(client)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "data-flagged>1<" in html
    assert HOSTILE not in html and "&lt;img src=x onerror=" in html
    assert "chart.umd.min.js" in html and "cdn" not in html.lower()


def test_charts_have_their_figures_as_tables(client):
    """A reader who cannot see a chart gets its figures: the canvas names the table."""
    login(client)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="trend"' in html and 'aria-describedby="trend-table"' in html
    table = html.split('id="trend-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td class=\"num\">(\d+)</td>", table)
    # seed_weak_article: 24 votes for each of the 10 other articles, 41 for the weak one.
    assert sum(int(votes) for _day, votes in rows) == 24 * 10 + 41
    assert len({day for day, _ in rows}) == len(rows) >= 1
    assert re.search(r'<td class="num">\d+\.\d%</td>', table)
    article = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    assert 'aria-describedby="revisions-table"' in article and 'id="revisions-table"' in article


def test_flag_queue_lists_reasons_and_owners(client):
    login(client)
    html = client.get("/dashboard/flags").get_data(as_text=True)
    assert f'data-flag="{WEAK}"' in html and "billing-team" in html
    assert "CSAT 20% over 41 votes" in html


def test_article_page_has_revisions_comments_and_acknowledgement(client):
    login(client)
    html = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    assert "data-article-flagged" in html and "data-revisions" in html
    assert "&lt;img src=x" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    resp = client.post(
        f"/dashboard/articles/{WEAK}/acknowledge",
        data={"csrf_token": token, "note": "Rewrite planned for June"},
    )
    assert resp.status_code == 302
    queue = client.get("/dashboard/flags").get_data(as_text=True)
    assert 'data-queue="acknowledged"' in queue and "Rewrite planned for June" in queue
    assert "data-queue-empty" in queue


def test_mark_a_comment_handled(client):
    login(client)
    html = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    comment_id = re.search(r'data-comment="(\d+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    resp = client.post(
        f"/dashboard/comments/{comment_id}/handled",
        data={"csrf_token": token, "next": f"/dashboard/articles/{WEAK}"},
    )
    assert resp.headers["Location"] == f"/dashboard/articles/{WEAK}"
    html = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    assert 'class="comment handled"' in html


def test_unknown_article_is_404(client):
    login(client)
    assert client.get("/dashboard/articles/nope").status_code == 404


def test_security_headers(client):
    login(client)
    resp = client.get("/dashboard/")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


def test_api_never_gets_the_dashboard_cookie(client):
    login(client)
    resp = client.get("/api/v1/health")
    assert "Set-Cookie" not in resp.headers


def test_logout(client):
    login(client)
    token = csrf(client, "/dashboard/")
    assert client.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard/").status_code == 302
