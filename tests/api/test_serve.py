"""``kb serve``: the site and the API on one port, schema made on first use, --db honoured."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from kb.serve import api_app, default_site_dir, make_server
from tests.helpers import free_port


def fetch(url: str, body: dict | None = None) -> tuple[int, dict | str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@pytest.fixture
def served(project, tmp_path):
    """``kb serve`` as the command wires it, on a free port, with a database in tmp_path."""
    db = f"sqlite:///{tmp_path / 'served.db'}"
    config = project / "mkdocs.yml"
    site_dir = default_site_dir(config)
    app = api_app(project, site_dir, db)
    port = free_port()
    server = make_server(
        config,
        "127.0.0.1",
        port,
        livereload=False,
        mounts={"/api/": app, "/dashboard/": app},
        site_dir=site_dir,
    )
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            fetch(base + "/api/v1/health")
            break
        except OSError:
            time.sleep(0.05)
    yield base, site_dir, db
    server.shutdown()
    thread.join(timeout=10)
    from kb.feedback_api.db import get_engine

    get_engine(app).dispose()


def test_site_and_api_share_one_port(served):
    base, site_dir, db = served
    status, health = fetch(base + "/api/v1/health")
    assert status == 200 and health["status"] == "ok"  # schema made without 'kb db upgrade'
    manifest = json.loads((site_dir / "_kb" / "manifest.json").read_text("utf-8"))
    article = manifest["articles"][0]
    status, page = fetch(f"{base}/{article['url']}")
    assert status == 200 and "data-kb-feedback" in page
    status, stored = fetch(
        base + "/api/v1/feedback", {"article": article["id"], "csat": 4, "submission": "serve-0001"}
    )
    assert status == 201 and stored["submission"] == "serve-0001"
    assert db.endswith("served.db")
    status, missing = fetch(base + "/api/v1/nothing-here")
    assert status == 404 and missing["error"]["code"] == "not_found"


def test_the_builds_private_folder_is_not_served_to_readers(served):
    """The manifest (owners, review dates), revisions and search generations stay on disk for
    the API; readers get the site's 404 page, however the path is spelled. Material's own
    search index, the fallback when the API is down, stays public."""
    base, site_dir, _db = served
    assert (site_dir / "_kb" / "manifest.json").is_file()
    assert (site_dir / "_kb" / "revisions.json").is_file()
    for path in (
        "/_kb/manifest.json",
        "/_kb/revisions.json",
        "/_kb/search/CURRENT",
        "/_kb/",
        "/./_kb/manifest.json",
        "/assets/../_kb/manifest.json",
        "/%5Fkb/manifest.json",
    ):
        status, body = fetch(base + path)
        assert status == 404, path
        assert '"articles"' not in str(body), path
    status, index = fetch(base + "/search/search_index.json")
    assert status == 200 and index["docs"]


def test_serve_takes_the_database_from_db_then_the_environment(tmp_path, monkeypatch):
    from kb.feedback_api.db import get_engine

    site = tmp_path / "site"
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    from_env = api_app(tmp_path, site)
    from_option = api_app(tmp_path, site, f"sqlite:///{tmp_path / 'option.db'}")
    monkeypatch.delenv("KB_DATABASE_URL")
    default = api_app(tmp_path, site)
    assert from_env.config["DATABASE_URL"].endswith("env.db")
    assert from_option.config["DATABASE_URL"].endswith("option.db")
    assert default.config["DATABASE_URL"] == f"sqlite:///{tmp_path / '.kb' / 'feedback.db'}"
    assert (tmp_path / ".kb" / "feedback.db").is_file()  # made on first use, no upgrade step
    for app in (from_env, from_option, default):
        get_engine(app).dispose()
