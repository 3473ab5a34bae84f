"""End to end as a writer runs it: ``kb serve`` in its own process, a vote in Chromium,
the vote read back with ``kb feedback export`` (both on the project's default database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from kb.scaffold import init_project

from .conftest import free_port

pytestmark = pytest.mark.browser

KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]


def kb_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return dict(env, NO_MKDOCS_2_WARNING="1", KB_RATE_LIMIT="off")


@pytest.fixture
def kb_serve(tmp_path, browser):
    """A sample help center served by ``kb serve`` on a free port; yields (project, base URL)."""
    project = tmp_path / "hc"
    init_project(project, "en")
    yml = project / "mkdocs.yml"
    text = yml.read_text().replace("  name: material\n", "  name: material\n  font: false\n", 1)
    yml.write_text(text)  # no web fonts: no third-party request
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*KB, "serve", "--no-livereload", "--port", str(port)],
                                cwd=project, env=kb_env(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
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
        yield project, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_vote_through_kb_serve_shows_in_export(kb_serve, page):
    project, base = kb_serve
    page.goto(base + "account/reset-your-password/")
    article = page.get_attribute("[data-kb-feedback]", "data-article")
    page.click("[data-csat='1']")
    page.click("[data-ces='2']")
    page.click("text=Didn't answer my question")
    page.fill("textarea[name=comment]", "I never got the reset email.")
    page.click("[data-kb-feedback] button[type=submit]")
    page.wait_for_selector("[data-kb-feedback-done]")

    out = project / "votes.jsonl"
    done = subprocess.run([*KB, "feedback", "export", "-o", str(out)], cwd=project, env=kb_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["article_id"], row["csat"], row["ces"]) == (article, 1, 2)
    assert row["comment"] == "I never got the reset email." and row["reason"] == "not_answered"
