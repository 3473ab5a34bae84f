"""Shared fixtures: temporary help centers, built sites, a real Chromium.

A part that is missing on a user's machine (PostgreSQL, Chromium) is skipped with a reason;
in CI (``CI=true``) a missing part fails the test instead, so nothing passes by not running.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from contextlib import contextmanager
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


# The kb CLI as a separate process (what a writer runs), without this shell's KB_* settings.
KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]


def kb_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return dict(env, NO_MKDOCS_2_WARNING="1", KB_RATE_LIMIT="off", **extra)


@contextmanager
def kb_serve_process(project: Path, log: Path, *args: str, env: dict | None = None,
                     seconds: float = 60):
    """``kb serve ARGS`` on a free port in its own process; yields its base URL once the API
    answers, and stops it afterwards (its output is in ``log``)."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([*KB, "serve", "--port", str(port), *args], cwd=project,
                                env=env or kb_env(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(base + "api/v1/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kb serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serving_with_api(project: Path, db_file: str = "feedback.db"):
    """The project's site as ``kb serve`` builds it and its API on one loopback port, in this
    process (no live reload, no rate limit); yields (base URL, database engine)."""
    from feedback_api import create_app
    from feedback_api.db import get_engine
    from kb.serve import make_server

    site_dir = project / ".kb" / "serve-site"
    app = create_app({"TESTING": True, "PROJECT_DIR": project, "SITE_DIR": site_dir,
                      "DATABASE_URL": f"sqlite:///{project / db_file}",
                      "AUTO_UPGRADE": True, "RATE_LIMIT": "off"})
    port = free_port()
    server = make_server(project / "mkdocs.yml", "127.0.0.1", port, livereload=False,
                         mounts={"/api/": app}, site_dir=site_dir)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}/"
    wait_for_http(base)
    with app.app_context():
        engine = get_engine(app)
    try:
        yield base, engine
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()
