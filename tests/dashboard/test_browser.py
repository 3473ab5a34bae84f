"""The dashboard in a real Chromium: login, the flag queue, an article page with its chart."""

import pytest

from tests.dashboard_server import PASSWORD, log_in, serve_dashboard
from tests.review_helpers import (
    seed_weak_article,
)

pytestmark = pytest.mark.browser

WEAK = "request-a-refund-4c8e01"


@pytest.fixture
def dashboard(project, monkeypatch):
    seed_weak_article(
        project, monkeypatch, WEAK, '<script>document.title="pwned"</script>Where is the button?'
    )
    with serve_dashboard(project) as base:
        yield base


def test_login_rejects_a_wrong_password_then_lets_in(dashboard, page):
    log_in(page, dashboard, "not it")
    assert page.is_visible("[data-login-error]")
    assert "Wrong password" in page.inner_text("[data-login-error]")
    log_in(page, dashboard, PASSWORD)
    assert page.url == dashboard
    assert page.inner_text("[data-flagged]") == "1"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["kb_dashboard"]["httpOnly"] and cookies["kb_dashboard"]["sameSite"] == "Strict"


def test_flag_queue_leads_to_the_article_page(dashboard, page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, dashboard)
    page.click("nav >> text=Flagged")
    row = page.locator(f'[data-queue="open"] [data-flag="{WEAK}"]')
    assert "CSAT 20% over 41 votes" in row.inner_text()
    assert "billing-team" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("[data-article-flagged]")
    assert "Can I get a refund?" in page.inner_text("h1")
    # Chart.js drew the per-revision chart (a canvas with a chart attached, no script error).
    page.wait_for_function("() => window.Chart && Chart.getChart('revisions') !== undefined")
    assert errors == []
    # The hostile comment is shown as text and did not run.
    assert "<script>" in page.inner_text("[data-comments]")
    assert page.title() != "pwned"


def test_acknowledge_and_mark_handled_in_the_browser(dashboard, page):
    log_in(page, dashboard)
    page.goto(dashboard + f"articles/{WEAK}")
    page.click("[data-mark-handled]")
    page.wait_for_selector(".comment.handled")
    page.fill("#note", "Rewrite booked for next sprint")
    page.click("[data-acknowledge]")
    page.wait_for_selector("text=Flag acknowledged.")
    page.goto(dashboard + "flags")
    assert page.is_visible("[data-queue-empty]")
    assert "Rewrite booked for next sprint" in page.inner_text('[data-queue="acknowledged"]')


def test_kb_serve_serves_the_dashboard(project, page, tmp_path):
    """``kb serve`` mounts the dashboard on the site's port; KB_ADMIN_PASSWORD opens it."""
    from tests.helpers import kb_env, kb_serve_process

    env = kb_env(KB_ADMIN_PASSWORD=PASSWORD)
    with kb_serve_process(project, tmp_path / "serve.log", "--no-livereload", env=env) as base:
        log_in(page, base + "dashboard/")
        assert page.url == base + "dashboard/"
        assert page.inner_text("[data-flagged]") == "0"
        page.goto(base + "dashboard/flags")
        assert page.is_visible("[data-queue-empty]")
