"""``kb db`` and ``kb feedback import|export``, in-process with CliRunner, on both databases."""

from __future__ import annotations

import csv
import io
import json

from kb.cli import main
from kb.core.errors import KbError
from kb.store.engine import DatabaseError


def kb(runner, *args, **kw):
    return runner.invoke(main, list(args), catch_exceptions=False, **kw)


def export_rows(runner, db_url) -> list[dict]:
    result = kb(runner, "feedback", "export", "--db", db_url)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_db_upgrade_then_current(runner, hc, db_url):
    before = kb(runner, "db", "current", "--db", db_url)
    assert before.exit_code == 1 and "empty (run kb db upgrade)" in before.output
    up = kb(runner, "db", "upgrade", "--db", db_url)
    assert up.exit_code == 0 and "upgraded from empty" in up.output
    assert "already at" in kb(runner, "db", "upgrade", "--db", db_url).output
    assert kb(runner, "db", "current", "--db", db_url).exit_code == 0


def test_the_default_database_lives_in_the_project(runner, hc):
    assert kb(runner, "db", "upgrade").exit_code == 0
    assert (hc / ".kb" / "feedback.db").is_file()


def test_kb_database_url_is_honoured(runner, hc, db_url, monkeypatch):
    monkeypatch.setenv("KB_DATABASE_URL", db_url)
    assert kb(runner, "db", "upgrade").exit_code == 0
    assert not (hc / ".kb" / "feedback.db").exists()
    assert kb(runner, "db", "current", "--db", db_url).exit_code == 0


def test_a_bad_database_url_is_a_clean_error(runner, hc):
    result = kb(runner, "db", "upgrade", "--db", "nosuchdb://x")
    assert result.exit_code == 1
    assert "Error: cannot use database URL" in result.output
    unreachable = kb(
        runner,
        "db",
        "current",
        "--db",
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
    )
    assert unreachable.exit_code == 1 and "Error: database error" in unreachable.output


def write_jsonl(path, rows):
    path.write_text(
        "".join(json.dumps(r) + "\n" if isinstance(r, dict) else r + "\n" for r in rows), "utf-8"
    )
    return path


def test_import_jsonl_reports_bad_rows_and_imports_good_ones_once(runner, hc, manifest, db_url):
    a, b = manifest[0], manifest[1]
    file = write_jsonl(
        hc / "votes.jsonl",
        [
            {
                "article": a["id"],
                "csat": 5,
                "ces": 6,
                "comment": "great",
                "created_at": "2025-01-02T10:00:00Z",
            },
            {
                "article": b["path"],
                "csat": "2",
                "created_at": "2025-01-03",
                "visitor": "198.51.100.4",
            },
            {"article": a["id"], "csat": 9, "created_at": "2025-01-02"},  # line 3
            "{not json",  # line 4
            {"article": "no/such.md", "csat": 3, "created_at": "2025-01-02"},  # line 5
            {"article": a["id"], "csat": 3},  # line 6
            {"article": a["id"], "csat": 3, "created_at": "2999-01-01"},  # line 7
        ],
    )
    first = kb(runner, "feedback", "import", str(file), "--db", db_url)
    assert first.exit_code == 1
    for line, text in [
        (3, "csat"),
        (4, "not valid JSON"),
        (5, "no article"),
        (6, "created_at is required"),
        (7, "in the future"),
    ]:
        assert f"votes.jsonl:{line}: " in first.stderr and text in first.stderr
    assert "2 votes imported, 0 already present, 5 bad rows." in first.stdout

    again = kb(runner, "feedback", "import", str(file), "--db", db_url)
    assert "0 votes imported, 2 already present" in again.stdout
    rows = export_rows(runner, db_url)
    assert len(rows) == 2
    assert {r["article_id"] for r in rows} == {a["id"], b["id"]}  # paths resolved to ids
    assert all(r["source"] == "import" for r in rows)
    assert "198.51.100.4" not in json.dumps(rows)  # imported visitor ids are hashed
    assert rows[0]["created_at"] == "2025-01-02T10:00:00Z"


def test_import_csv_with_submissions(runner, hc, manifest, db_url):
    a = manifest[0]
    file = hc / "votes.csv"
    file.write_text(
        "article,csat,ces,comment,created_at,submission\n"
        f'{a["id"]},4,,"multi\nline",2025-02-01T08:00:00+01:00,sub-00000001\n'
        f"{a['id']},1,2,,2025-02-02,sub-00000002\n"
        f"{a['id']},x,,,2025-02-02,sub-00000003\n",
        "utf-8",
    )
    result = kb(runner, "feedback", "import", str(file), "--db", db_url)
    assert result.exit_code == 1
    assert "votes.csv:5: csat" in result.stderr  # the record after a two-line one
    rows = export_rows(runner, db_url)
    assert [r["submission"] for r in rows] == ["sub-00000001", "sub-00000002"]
    assert rows[0]["comment"] == "multi\nline"
    assert rows[0]["created_at"] == "2025-02-01T07:00:00Z"


def test_import_without_a_built_site_says_so(runner, project, db_url):
    file = write_jsonl(project / "v.jsonl", [{"article": "x", "csat": 3}])
    result = kb(runner, "feedback", "import", str(file), "--db", db_url)
    assert result.exit_code == 1 and "run 'kb build' first" in result.output


def test_export_csv_is_safe_in_a_spreadsheet(runner, hc, manifest, db_url):
    a = manifest[0]
    file = write_jsonl(
        hc / "v.jsonl",
        [
            {
                "article": a["id"],
                "csat": 1,
                "comment": '=HYPERLINK("http://x")',
                "created_at": "2025-01-01",
            },
            {"article": a["id"], "csat": 2, "comment": "+1 agreed", "created_at": "2025-01-01"},
            {"article": a["id"], "csat": 3, "comment": "@admin -x", "created_at": "2025-01-01"},
            {"article": a["id"], "csat": 4, "comment": "plain", "created_at": "2025-01-01"},
        ],
    )
    assert kb(runner, "feedback", "import", str(file), "--db", db_url).exit_code == 0
    out = hc / "votes.csv"
    result = kb(
        runner, "feedback", "export", "--format", "csv", "--output", str(out), "--db", db_url
    )
    assert result.exit_code == 0 and "4 votes written" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["comment"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1 agreed",
        "'@admin -x",
        "plain",
    ]
    assert all(r["submission"] for r in rows)


def test_votes_posted_to_the_api_are_in_the_export(runner, hc, manifest, db_url):
    from kb.feedback_api import create_app
    from kb.feedback_api.db import get_engine

    app = create_app(
        {"PROJECT_DIR": hc, "DATABASE_URL": db_url, "AUTO_UPGRADE": True, "RATE_LIMIT": "off"}
    )
    try:
        body = {"article": manifest[0]["id"], "csat": 5, "submission": "api-00000001"}
        assert app.test_client().post("/api/v1/feedback", json=body).status_code == 201
    finally:
        get_engine(app).dispose()
    assert [r["submission"] for r in export_rows(runner, db_url)] == ["api-00000001"]


def test_kb_errors_reach_click_as_they_are(runner, project, tmp_path):
    """No command converts kb's errors by hand: a KbError prints ``Error: ...`` and exits 1."""
    assert issubclass(DatabaseError, KbError)
    file = tmp_path / "votes.jsonl"
    file.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["feedback", "import", str(file)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: the help center is not built (no manifest at ")
    assert "run 'kb build' first" in result.output
