"""Articles' dates and revision history from git: accented file names, moved articles."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kb.core import revision_git
from kb.core.helpcenter import load_help_center, parse_name_status

UTC = dt.timezone.utc


def git(cwd: Path, *args: str, date: str = "2024-01-01T00:00:00+00:00") -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "HOME": str(cwd),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def article(title: str, extra: str = "") -> str:
    words = " ".join(f"word{i}" for i in range(40))
    return f"---\ntitle: {title}\nid: {title.lower()}-1\n---\n{words}\n{extra}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    docs = tmp_path / "articles"
    (docs / "billing").mkdir(parents=True)
    git(tmp_path, "init", "-q")
    return docs


def commit(docs: Path, message: str, date: str) -> None:
    git(docs.parent, "add", "-A", ".")
    git(docs.parent, "commit", "-q", "-m", message, date=date)


def updated(docs: Path) -> dict[str, dt.datetime | None]:
    hc = load_help_center(docs)
    return {a.path: a.updated for a in hc.articles}


def test_accented_file_name_gets_its_git_date(repo):
    (repo / "billing" / "perché.md").write_text(article("Perche"), encoding="utf-8")
    (repo / "billing" / "plain.md").write_text(article("Plain"), encoding="utf-8")
    commit(repo, "first", "2024-03-01T10:00:00+00:00")
    dates = updated(repo)
    assert dates["billing/perché.md"] == dt.datetime(2024, 3, 1, 10, tzinfo=UTC)
    assert dates["billing/plain.md"] == dt.datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_moved_article_keeps_its_date_and_an_edit_in_the_move_counts(repo):
    (repo / "billing" / "refund.md").write_text(article("Refund"), encoding="utf-8")
    (repo / "billing" / "invoice.md").write_text(article("Invoice"), encoding="utf-8")
    commit(repo, "first", "2024-01-01T00:00:00+00:00")
    (repo / "payments").mkdir()
    (repo / "billing" / "refund.md").rename(repo / "payments" / "refund.md")
    (repo / "billing" / "invoice.md").rename(repo / "payments" / "invoice.md")
    with open(repo / "payments" / "invoice.md", "a", encoding="utf-8") as fh:
        fh.write("One more sentence.\n")
    commit(repo, "move", "2024-06-01T00:00:00+00:00")
    dates = updated(repo)
    assert dates["payments/refund.md"] == dt.datetime(2024, 1, 1, tzinfo=UTC)  # only moved
    assert dates["payments/invoice.md"] == dt.datetime(2024, 6, 1, tzinfo=UTC)  # and edited


def test_deleted_and_added_again_starts_afresh():
    d = "\x012024-0{}-01T00:00:00+00:00\0\n"
    log = (
        d.format(3) + "A\0x.md\0"  # added again
        + d.format(2) + "D\0x.md\0"  # deleted
        + d.format(1) + "A\0x.md\0A\0old.md\0"
    )  # fmt: skip
    dates = parse_name_status(log)
    assert dates["x.md"] == dt.datetime(2024, 3, 1, tzinfo=UTC)


def test_revision_history_follows_a_moved_article(repo):
    path = repo / "billing" / "refund.md"
    path.write_text(article("Refund"), encoding="utf-8")
    commit(repo, "first", "2024-01-01T00:00:00+00:00")
    path.write_text(article("Refund", "A typo fixed.\n"), encoding="utf-8")
    commit(repo, "edit", "2024-02-01T00:00:00+00:00")
    (repo / "payments").mkdir()
    path.rename(repo / "payments" / "refund.md")
    commit(repo, "move", "2024-03-01T00:00:00+00:00")
    found = revision_git.versions(repo, "payments/refund.md")
    assert [when.month for _rev, when, _title, _body in found] == [1, 2]
    assert "A typo fixed." in found[-1][3] and "A typo fixed." not in found[0][3]


def test_revision_history_of_an_accented_file_name(repo):
    path = repo / "billing" / "perché.md"
    path.write_text(article("Perche"), encoding="utf-8")
    commit(repo, "first", "2024-01-01T00:00:00+00:00")
    path.write_text(article("Perche", "Altro.\n"), encoding="utf-8")
    commit(repo, "edit", "2024-02-01T00:00:00+00:00")
    assert len(revision_git.versions(repo, "billing/perché.md")) == 2
