"""``kb feedback export`` then ``kb feedback import`` moves votes between databases losslessly:
SQLite -> PostgreSQL -> SQLite keeps every row's fields, and a second import adds nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kb.cli import main
from kb.core.votes import Vote
from kb.store.engine import make_engine, upgrade, write_transaction
from kb.store.votes import upsert_vote
from tests.helpers import drop_pg_schema, fresh_pg_url, pg_unreachable, require

T0 = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)


def kb(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def seed(url: str, manifest: list[dict]) -> None:
    """Votes of every source: a widget vote updated twice, a form vote, an imported vote,
    and one for an article the site no longer has."""
    a, b = manifest[0], manifest[1]
    engine = make_engine(url)
    upgrade(engine)
    with write_transaction(engine) as conn:
        widget = Vote(article=a["id"], csat=2, submission="0b4f1c9e-widget-0001", created_at=T0)
        widget.revision, widget.lang, widget.visitor = a["revision"], "en", "ab" * 16
        upsert_vote(conn, widget, T0)
        widget.ces, widget.provided = 6, {"ces"}
        upsert_vote(conn, widget, T0 + timedelta(seconds=5))
        widget.comment, widget.reason, widget.provided = (
            "Step 3 fails",
            "missing_steps",
            {
                "comment",
                "reason",
            },
        )
        upsert_vote(conn, widget, T0 + timedelta(seconds=9))
        form = Vote(article=b["id"], csat=5, submission="form-00000001", source="form")
        form.created_at = T0 + timedelta(days=1)
        upsert_vote(conn, form, T0 + timedelta(days=1))
        imported = Vote(article=a["id"], csat=4, submission="imp-" + "c" * 32, source="import")
        imported.created_at = T0 - timedelta(days=30)
        upsert_vote(conn, imported, T0)
        gone = Vote(article="removed-article", csat=1, submission="gone-0000001")
        gone.revision, gone.comment, gone.created_at = "r0", '=SUM("x")', T0
        upsert_vote(conn, gone, T0)
    engine.dispose()


def exported(runner, url: str, fmt: str, path) -> list[dict]:
    """Export ``url`` to ``path``; the rows read back when the format is JSONL."""
    result = kb(runner, "feedback", "export", "--format", fmt, "-o", str(path), "--db", url)
    assert result.exit_code == 0, result.output
    if fmt != "jsonl":
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "id"} for row in rows]


@pytest.fixture
def pg_url():
    reason = pg_unreachable()
    require(reason is None, reason or "")
    url, schema = fresh_pg_url()
    yield url
    drop_pg_schema(schema)


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_imports_back_losslessly_sqlite_postgresql_sqlite(runner, hc, manifest, pg_url, fmt):
    first = f"sqlite:///{hc / 'first.db'}"
    last = f"sqlite:///{hc / 'last.db'}"
    seed(first, manifest)
    original = exported(runner, first, "jsonl", hc / "original.jsonl")
    assert len(original) == 4
    widget = next(r for r in original if r["source"] == "widget")
    assert widget["version"] == 3 and widget["updated_at"] != widget["created_at"]

    hops = [(first, pg_url), (pg_url, last)]
    for n, (source, target) in enumerate(hops):
        dump = hc / f"hop{n}.{fmt}"
        exported(runner, source, fmt, dump)
        for attempt in range(2):  # the second import of the same file is a no-op
            result = kb(runner, "feedback", "import", str(dump), "--db", target)
            assert result.exit_code == 0, result.output
            expected = (
                "4 votes imported, 0 already present"
                if attempt == 0
                else ("0 votes imported, 4 already present")
            )
            assert expected in result.stdout, result.output
        moved = exported(runner, target, "jsonl", hc / f"moved{n}.jsonl")
        assert without_ids(moved) == without_ids(original)
