"""Plain helpers the tests share: paths, required parts, servers, votes.

Fixtures live in ``tests/conftest.py`` (the project, built sites, Chromium) and
``tests/feedback_fixtures.py`` (the feedback API on SQLite and PostgreSQL); a test imports
what it needs from here by name, never from a conftest.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The public address the tests' help centers get (kb init's placeholder makes kb check warn).
SITE_URL = "https://help.acme.test/"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Where browser tests leave screenshots for a person to look at (KB_SCREENSHOTS, else the
# system's temporary folder).
SCREENSHOTS = Path(os.environ.get("KB_SCREENSHOTS") or tempfile.gettempdir())
CHROMIUM = (
    os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)


def require(condition: bool, reason: str) -> None:
    """Skip when a part is missing on this machine; fail in CI, where every part must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def write_article(project: Path, rel: str, text: str) -> Path:
    path = project / "articles" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


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


# The kb CLI as a separate process (what a writer runs), without this shell's KB_* settings.
KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]


def kb_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return dict(env, NO_MKDOCS_2_WARNING="1", KB_RATE_LIMIT="off", **extra)


@contextmanager
def kb_serve_process(
    project: Path, log: Path, *args: str, env: dict | None = None, seconds: float = 60
):
    """``kb serve ARGS`` on a free port in its own process; yields its base URL once the API
    answers, and stops it afterwards (its output is in ``log``)."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*KB, "serve", "--port", str(port), *args],
            cwd=project,
            env=env or kb_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
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
    from kb.feedback_api import create_app
    from kb.feedback_api.db import get_engine

    from kb.serve import make_server

    site_dir = project / ".kb" / "serve-site"
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": project,
            "SITE_DIR": site_dir,
            "DATABASE_URL": f"sqlite:///{project / db_file}",
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
        }
    )
    port = free_port()
    server = make_server(
        project / "mkdocs.yml",
        "127.0.0.1",
        port,
        livereload=False,
        mounts={"/api/": app},
        site_dir=site_dir,
    )
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


PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str:
    return os.environ.get("KB_TEST_DATABASE_URL") or PG_DEFAULT


@lru_cache(maxsize=1)
def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it answers."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    engine = create_engine(pg_base_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return (
            f"PostgreSQL at {make_url(pg_base_url()).render_as_string()} unreachable: "
            f"{str(exc).splitlines()[0]}"
        )
    finally:
        engine.dispose()
    return None


def fresh_pg_url() -> tuple[str, str]:
    """A URL whose connections use a new, empty schema; returns (url, schema)."""
    schema = f"kbtest_{uuid.uuid4().hex[:12]}"
    base = create_engine(pg_base_url())
    with base.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base.dispose()
    url = make_url(pg_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_pg_schema(schema: str) -> None:
    base = create_engine(pg_base_url())
    with base.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    base.dispose()


def new_submission() -> str:
    return str(uuid.uuid4())


def vote_body(article: dict, **fields) -> dict:
    body = {
        "article": article["id"],
        "revision": article["revision"],
        "csat": 4,
        "submission": new_submission(),
    }
    body.update(fields)
    return body
