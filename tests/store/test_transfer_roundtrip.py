"""``kb feedback export`` then ``kb feedback import`` moves votes between databases losslessly:
SQLite -> PostgreSQL -> SQLite keeps every row's fields, and a second import adds nothing.
JSONL carries the reader's journey too (view counters, readers, contacts, searches)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kb.cli import main
from kb.core.journey import Contact, View
from kb.core.votes import Vote
from kb.store.engine import make_engine, upgrade, write_transaction
from kb.store.journey import record_contact, record_view, set_outcome
from kb.store.searchlog import log_click, log_search
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
    token = "0123456789abcdef01234567"
    log_search(engine, token, "Refund card@example.com", "en", 3, now=T0)
    log_click(engine, token, a["id"], 2, now=T0)
    log_search(engine, "fedcba9876543210fedcba98", "invoice pdf", "en", 0, now=T0)
    with write_transaction(engine) as conn:
        for i, (visitor, arrival) in enumerate([("ab" * 16, "search"), ("cd" * 16, "external")]):
            view = View(f"view-{i:08d}", a["id"], a["revision"], "en", arrival, None, visitor)
            record_view(conn, view, now=T0)
        record_view(conn, View("view-00000009", b["id"], None, None, "article"), now=T0)
        contact = Contact("contact-000001", a["id"], a["revision"], "en", token, None, 2, 3)
        contact.reason, contact.visitor = "missing_steps", "ab" * 16
        record_contact(conn, contact, T0 + timedelta(minutes=2))
        set_outcome(conn, token, "unsatisfied")  # a contact is not overridden by a vote
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
    votes = [r for r in original if "kind" not in r]
    assert len(votes) == 4
    kinds = sorted(r["kind"] for r in original if "kind" in r)
    assert kinds == ["contact", "reader", "reader", "search", "search", "views", "views", "views"]
    search = next(r for r in original if r.get("kind") == "search" and r["clicked_id"])
    assert (search["query"], search["outcome"]) == ("refund [email]", "contact")
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
            if fmt == "jsonl":
                journey = (
                    "Reader's journey imported: contacts 1, unique readers 2, searches 2, "
                    "view counters 3; 0 rows already present."
                    if attempt == 0
                    else "Reader's journey imported: nothing new; 8 rows already present."
                )
                assert journey in result.stdout, result.output
        moved = exported(runner, target, "jsonl", hc / f"moved{n}.jsonl")
        if fmt == "csv":  # CSV carries the votes alone
            moved, original = without_ids(moved)[:4], votes
        assert without_ids(moved) == without_ids(original)
