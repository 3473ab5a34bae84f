"""``kb feedback import`` with any mix of good and bad rows (JSONL and CSV): every good row is
imported once, importing the file again adds nothing, and every bad row is reported with its
own line number, never a crash."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli import main
from kb.store.engine import make_engine
from kb.store.tables import metadata
from kb.store.transfer import import_votes, read_rows
from kb.store.votes import iter_votes

ARTICLES = {
    "refund-1": {"id": "refund-1", "path": "billing/refund.md", "revision": "r1", "lang": "en"},
    "reset-2": {"id": "reset-2", "path": "account/reset.md", "revision": "r9", "lang": "it"},
}


def find(key: str):
    key = key.strip().removeprefix("articles/")
    return ARTICLES.get(key) or next(
        (a for a in ARTICLES.values() if a["path"] in (key, f"{key}.md")), None
    )


good_rows = st.builds(
    lambda art, csat, ces, comment, day, sub: {
        "article": art,
        "csat": csat,
        "ces": ces,
        "comment": comment,
        "created_at": f"2025-03-{day:02d}T10:00:00Z",
        **({"submission": sub} if sub else {}),
    },
    st.sampled_from(["refund-1", "reset-2", "billing/refund", "articles/account/reset.md"]),
    st.integers(1, 5),
    st.none() | st.integers(1, 7),
    st.none() | st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.integers(1, 28),
    st.none() | st.uuids().map(str),
)
BAD_ROWS = [
    {"article": "no-such", "csat": 3, "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": 9, "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": "x", "created_at": "2025-03-01"},
    {"article": "refund-1", "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": 3, "created_at": "yesterday"},
    {"article": "refund-1", "csat": 3, "created_at": "2999-01-01"},
    {"article": "refund-1", "csat": 3},
    {"article": "refund-1", "csat": 3, "ces": 0, "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": 3, "reason": "angry", "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": 3, "comment": "x" * 2001, "created_at": "2025-03-01"},
    {"article": "refund-1", "csat": 3, "submission": "no spaces!", "created_at": "2025-03-01"},
    {"article": "", "csat": 3, "created_at": "2025-03-01"},
]
JSONL_ONLY_BAD = ["{not json", "[1, 2]", '"text"', '{"article": ["refund-1"], "csat": 3}']
rows = st.lists(
    st.one_of(
        good_rows.map(lambda r: ("good", r)), st.sampled_from(BAD_ROWS).map(lambda r: ("bad", r))
    ),
    min_size=1,
    max_size=25,
)


def as_jsonl(items, extra_bad) -> tuple[str, list[int]]:
    lines, bad = [], []
    for kind, row in items:
        lines.append(json.dumps(row))
        if kind == "bad":
            bad.append(len(lines))
    for text in extra_bad:
        lines.append(text)
        bad.append(len(lines))
    return "\n".join(lines) + "\n", bad


def as_csv(items) -> tuple[str, list[int]]:
    out = io.StringIO()
    fields = ["article", "csat", "ces", "comment", "created_at", "submission", "reason"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    bad, line = [], 1
    for kind, row in items:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in fields})
        line += 1 + str(row.get("comment") or "").count("\n")
        if kind == "bad":
            bad.append(line - str(row.get("comment") or "").count("\n"))
    return out.getvalue(), bad


def fresh_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('imp') / 'f.db'}")
    metadata.create_all(engine)
    return engine


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows, st.lists(st.sampled_from(JSONL_ONLY_BAD), max_size=3), st.booleans())
def test_mixed_rows_import_once_and_every_bad_row_is_named(tmp_path_factory, items, extra, use_csv):
    if use_csv:
        text, bad_lines = as_csv(items)
        fmt = "csv"
    else:
        text, bad_lines = as_jsonl(items, extra)
        fmt = "jsonl"
    engine = fresh_engine(tmp_path_factory)
    try:
        first = import_votes(engine, read_rows(io.StringIO(text), fmt), find)
        assert sorted(b.line for b in first.bad) == sorted(bad_lines), (text, first.bad)
        assert all(b.message for b in first.bad)
        good = [r for kind, r in items if kind == "good"]
        # identical good rows (same content, no submission) are one vote, as on a re-import
        assert first.imported + first.already_present == len(good)
        stored = len(list(iter_votes(engine)))
        assert stored == first.imported
        again = import_votes(engine, read_rows(io.StringIO(text), fmt), find)
        assert again.imported == 0 and again.already_present == len(good)
        assert len(list(iter_votes(engine))) == stored
        assert [b.line for b in again.bad] == [b.line for b in first.bad]
    finally:
        engine.dispose()


def test_the_command_lists_bad_rows_with_file_and_line(runner, project, tmp_path):
    from kb.plugin.builder import build_site

    build_site(project / "mkdocs.yml")
    manifest = json.loads((project / "site" / "_kb" / "manifest.json").read_text())["articles"]
    art = manifest[0]
    path = tmp_path / "votes.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"article": art["id"], "csat": 4, "created_at": "2025-03-01"}),
                "{broken",
                json.dumps({"article": "ghost", "csat": 4, "created_at": "2025-03-01"}),
                json.dumps(
                    {
                        "article": art["path"],
                        "csat": 2,
                        "created_at": "2025-03-02",
                        "comment": "=cmd|' /C calc'!A0",
                    }
                ),
            ]
        )
        + "\n"
    )
    db = f"sqlite:///{tmp_path / 'i.db'}"
    first = runner.invoke(main, ["feedback", "import", str(path), "--db", db])
    assert first.exit_code == 1 and "Traceback" not in first.output
    assert f"{path}:2: " in first.output and f"{path}:3: " in first.output
    assert "2 votes imported, 0 already present, 2 bad rows." in first.output
    again = runner.invoke(main, ["feedback", "import", str(path), "--db", db])
    assert "0 votes imported, 2 already present, 2 bad rows." in again.output
