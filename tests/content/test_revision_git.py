"""A fresh clone has no .kb/revisions.json: kb report recovers the history from git, so a
typo fix still keeps the article's votes and a rewrite still starts afresh."""

import json
import subprocess

import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from tests.review_helpers import add_votes, baseline_votes, engine_for, manifest_articles

WEAK = "request-a-refund-4c8e01"
PATH = "billing/request-a-refund.md"


def git(cwd, *args):
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(cwd),
            "PATH": "/usr/bin:/bin",
        },
    )


@pytest.fixture
def repo(project, monkeypatch):
    """The sample help center in git, built, with ordinary votes and a weak article."""
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    git(project, "init", "-q")
    git(project, "add", "mkdocs.yml", "articles")
    git(project, "commit", "-q", "-m", "first")
    build_site(project / "mkdocs.yml")
    arts = manifest_articles(project)
    engine = engine_for(project)
    baseline_votes(engine, arts, skip=(WEAK,))
    add_votes(engine, WEAK, arts[WEAK]["revision"], [1, 2, 2, 1, 5] * 8, ces=2)
    engine.dispose()
    return project


def edit_and_commit(project, change):
    path = project / "articles" / PATH
    text = path.read_text(encoding="utf-8")
    cut = text.index("\n---", 3) + 4
    path.write_text(text[:cut] + change(text[cut:]), encoding="utf-8")
    git(project, "commit", "-q", "-am", "edit")


def fresh_clone_report(runner, project):
    (project / ".kb" / "revisions.json").unlink(missing_ok=True)
    build_site(project / "mkdocs.yml")  # knows only the current texts now
    out = runner.invoke(main, ["report", "--format", "json"], catch_exceptions=False).output
    return {a["id"]: a for a in json.loads(out)["articles"]}[WEAK]


def test_typo_fix_in_a_fresh_clone_keeps_the_votes(repo, runner):
    edit_and_commit(repo, lambda body: body.replace(" the ", " teh ", 1))
    weak = fresh_clone_report(runner, repo)
    assert weak["votes"] == 40 and weak["flagged"] and weak["before"] is None
    history = json.loads((repo / ".kb" / "revisions.json").read_text())["articles"][WEAK]
    assert len(history["revisions"]) == 2 and history["base"]  # kept for the next builds


def test_rewrite_in_a_fresh_clone_starts_afresh(repo, runner):
    edit_and_commit(
        repo,
        lambda body: (
            "\n\nRefunds are automatic: cancel within 14 days "
            "from Settings, Billing, Plan; the money comes back.\n"
        ),
    )
    weak = fresh_clone_report(runner, repo)
    assert weak["votes"] == 0 and not weak["flagged"]
    assert weak["before"]["votes"] == 40
