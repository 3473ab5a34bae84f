"""End to end as a writer runs it: ``kb serve`` in its own process, a vote in Chromium,
the vote read back with ``kb feedback export`` (both on the project's default database)."""

from __future__ import annotations

import json
import subprocess

import pytest

from kb.core.scaffold import init_project
from tests.helpers import KB, kb_env, kb_serve_process

pytestmark = pytest.mark.browser


@pytest.fixture
def kb_serve(tmp_path, browser):
    """A sample help center served by ``kb serve`` on a free port; yields (project, base URL)."""
    project = tmp_path / "hc"
    init_project(project, "en")
    yml = project / "mkdocs.yml"
    text = yml.read_text().replace("  name: material\n", "  name: material\n  font: false\n", 1)
    yml.write_text(text)  # no web fonts: no third-party request
    with kb_serve_process(project, tmp_path / "serve.log", "--no-livereload") as base:
        yield project, base


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
    done = subprocess.run(
        [*KB, "feedback", "export", "-o", str(out)],
        cwd=project,
        env=kb_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["article_id"], row["csat"], row["ces"]) == (article, 1, 2)
    assert row["comment"] == "I never got the reset email." and row["reason"] == "not_answered"
