"""Commands that only read never create a feedback database: without one they say where they
looked and how to point them at the real one, and exit 1."""

from __future__ import annotations

import pytest

from kb.cli import main
from kb.store.engine import make_engine, upgrade

READERS = [
    ["report"],
    ["report", "--fail-on-flagged"],
    ["report", "--format", "json"],
    ["feedback", "export"],
    ["webhooks", "status"],
    ["db", "current"],
]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_readers_without_a_database_create_none_and_fail(runner, hc, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output
    where = hc / ".kb" / "feedback.db"
    assert f"no feedback database at {where}" in result.output
    assert "no --db and no KB_DATABASE_URL" in result.output
    assert "--db URL or KB_DATABASE_URL" in result.output
    assert not where.exists() and not (hc / ".kb").exists()


def test_the_message_names_the_setting_that_pointed_there(runner, hc, monkeypatch):
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{hc / 'elsewhere' / 'votes.db'}")
    result = runner.invoke(main, ["report"])
    assert result.exit_code == 1
    assert f"no feedback database at {hc / 'elsewhere' / 'votes.db'} (KB_DATABASE_URL)" in (
        result.output
    )
    assert not (hc / "elsewhere").exists()
    bad = runner.invoke(main, ["feedback", "export", "--db", f"sqlite:///{hc / 'x.db'}"])
    assert bad.exit_code == 1 and "(--db)" in bad.output


def test_an_empty_database_is_not_mistaken_for_one_without_votes(runner, hc, db_url):
    """A database that exists but was never upgraded (the wrong one) is named as such."""
    engine = make_engine(db_url)
    with engine.begin() as conn:  # an existing, empty database (SQLite: an empty file)
        conn.exec_driver_sql("CREATE TABLE unrelated (x INTEGER)")
    engine.dispose()
    result = runner.invoke(main, ["report", "--fail-on-flagged", "--db", db_url])
    assert result.exit_code == 1 and "has no kb tables yet" in result.output
    assert "kb db upgrade" in result.output


def test_readers_read_a_real_database(runner, hc, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    for args in (["report"], ["feedback", "export"], ["webhooks", "status"], ["db", "current"]):
        result = runner.invoke(main, [*args, "--db", db_url])
        assert result.exit_code == 0, (args, result.output)
    assert "0 of " in runner.invoke(main, ["report", "--db", db_url]).output
