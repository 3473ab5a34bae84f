"""The feedback store (kb.store): votes on SQLite and PostgreSQL, import, export, privacy."""

from __future__ import annotations

import json
import shutil

import pytest


@pytest.fixture
def hc(project, feedback_site, monkeypatch):
    """A help center as the cwd, with its built site (a copy of the session's)."""
    shutil.copytree(feedback_site, project / "site", dirs_exist_ok=True)
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    return project


@pytest.fixture
def manifest(hc) -> list[dict]:
    return json.loads((hc / "site" / "_kb" / "manifest.json").read_text("utf-8"))["articles"]
