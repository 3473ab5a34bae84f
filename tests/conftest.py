"""Shared fixtures: temporary help centers, built sites, a real Chromium.

A part that is missing on a user's machine (PostgreSQL, Chromium) is skipped with a reason;
in CI (``CI=true``) a missing part fails the test instead, so nothing passes by not running.
"""

from __future__ import annotations

import os
import shutil
import socket
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.scaffold import init_project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = (os.environ.get("KB_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def require(condition: bool, reason: str) -> None:
    """Skip when a part is missing on this machine; fail in CI, where every part must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A fresh help center made by ``kb init``, as the current directory."""
    init_project(tmp_path, "en")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_article(project: Path, rel: str, text: str) -> Path:
    path = project / "articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def built_site(project) -> Path:
    """The sample help center, built; returns its site folder."""
    from kb.builder import build_site

    build_site(project / "mkdocs.yml")
    return project / "site"


def wait_for_http(url: str, timeout: float = 30) -> None:
    """Wait until ``url`` answers (a server started by a test is up)."""
    import time
    import urllib.request

    end = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
