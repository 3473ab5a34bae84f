"""Fixtures for the feedback API and its storage, on SQLite and on PostgreSQL.

Import them into a test module (``from tests.feedback_fixtures import *``). ``db_url`` is
parametrized: every test that uses it runs once per database. PostgreSQL comes from
``KB_TEST_DATABASE_URL`` (default: the local server); each test gets a schema of its own,
dropped afterwards. Without a server the PostgreSQL half skips (fails in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import require

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
__all__ = ["db_url", "engine", "feedback_site", "site_dir", "make_app", "app", "client", "articles",
           "new_submission", "vote_body"]


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
        return f"PostgreSQL at {make_url(pg_base_url()).render_as_string()} unreachable: " \
               f"{str(exc).splitlines()[0]}"
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """An empty database: SQLite in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'votes' / 'feedback.db'}"
        return
    reason = pg_unreachable()
    require(reason is None, reason or "")
    url, schema = fresh_pg_url()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def engine(db_url):
    """An engine on ``db_url`` with the schema migrated to the newest revision."""
    from feedback_api.db import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def feedback_site(tmp_path_factory) -> Path:
    """The sample help center, built once per session (read-only: copy it to change it)."""
    from kb.builder import build_site
    from kb.scaffold import init_project

    project = tmp_path_factory.mktemp("feedback-hc")
    init_project(project, "en")
    build_site(project / "mkdocs.yml")
    return project / "site"


@pytest.fixture
def site_dir(feedback_site, tmp_path) -> Path:
    """A private copy of the built site's manifest, which a test may rewrite."""
    target = tmp_path / "site"
    shutil.copytree(feedback_site / "_kb", target / "_kb")
    return target


@pytest.fixture
def articles(site_dir) -> list[dict]:
    return json.loads((site_dir / "_kb" / "manifest.json").read_text("utf-8"))["articles"]


@pytest.fixture
def make_app(db_url, site_dir, tmp_path):
    """Build apps on this test's database and site; their connections close afterwards."""
    from feedback_api import create_app
    from feedback_api.db import get_engine

    made = []

    def make(**settings):
        config = {"TESTING": True, "PROJECT_DIR": tmp_path, "SITE_DIR": site_dir,
                  "DATABASE_URL": db_url, "AUTO_UPGRADE": True, "RATE_LIMIT": "off"}
        made.append(create_app({**config, **settings}))
        return made[-1]

    yield make
    for app in made:
        get_engine(app).dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def new_submission() -> str:
    return str(uuid.uuid4())


def vote_body(article: dict, **fields) -> dict:
    body = {"article": article["id"], "revision": article["revision"], "csat": 4,
            "submission": new_submission()}
    body.update(fields)
    return body
