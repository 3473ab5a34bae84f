"""Shared fixtures: temporary help centers, built sites, a real Chromium; the feedback API's
fixtures come from ``tests/feedback_fixtures.py`` (registered below, so every area has them).

A part that is missing on a user's machine (PostgreSQL, Chromium) is skipped with a reason;
in CI (``CI=true``) a missing part fails the test instead, so nothing passes by not running.
Plain helpers are in ``tests/helpers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.core.scaffold import init_project
from tests.helpers import CHROMIUM, SITE_URL, require

pytest_plugins = ["tests.feedback_fixtures"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A fresh help center made by ``kb init`` with its public address, as the current
    directory."""
    init_project(tmp_path, "en", site_url=SITE_URL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def built_site(project) -> Path:
    """The sample help center, built; returns its site folder."""
    from kb.plugin.builder import build_site

    build_site(project / "mkdocs.yml")
    return project / "site"


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    require(CHROMIUM is not None, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "playwright is not installed (pip install playwright)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
