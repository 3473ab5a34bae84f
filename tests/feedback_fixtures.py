"""Fixtures for the feedback API and its storage, on SQLite and on PostgreSQL.

Registered for every test by ``tests/conftest.py``. ``db_url`` is
parametrized: every test that uses it runs once per database. PostgreSQL comes from
``KB_TEST_DATABASE_URL`` (default: the local server); each test gets a schema of its own,
dropped afterwards. Without a server the PostgreSQL half skips (fails in CI).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import drop_pg_schema, fresh_pg_url, pg_unreachable, require


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
    from kb.store.engine import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def feedback_site(tmp_path_factory) -> Path:
    """The sample help center, built once per session (read-only: copy it to change it)."""
    from kb.core.scaffold import init_project
    from kb.plugin.builder import build_site

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
    from kb.feedback_api import create_app
    from kb.feedback_api.db import get_engine

    made = []

    def make(**settings):
        config = {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": site_dir,
            "DATABASE_URL": db_url,
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
        }
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
