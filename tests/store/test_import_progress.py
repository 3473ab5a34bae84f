"""``kb feedback import`` shows its progress on a terminal and stays quiet elsewhere."""

from __future__ import annotations

import io
import json

from rich.console import Console

from kb.cli import main
from kb.cli.feedback import import_progress
from kb.store import transfer
from kb.store.transfer import ImportResult, import_votes


def rows(article: str, good: int, bad: int) -> list[tuple[int, dict | str]]:
    out: list[tuple[int, dict | str]] = []
    for n in range(good):
        out.append(
            (
                n + 1,
                {
                    "article": article,
                    "csat": 1 + n % 5,
                    "created_at": "2025-01-02",
                    "comment": f"row {n}",
                },
            )
        )
    for n in range(bad):
        out.append((good + n + 1, {"article": article, "csat": 9, "created_at": "2025-01-02"}))
    return out


def test_the_import_function_reports_progress_after_each_batch(engine, monkeypatch):
    monkeypatch.setattr(transfer, "BATCH", 10)
    seen: list[tuple[int, int, int]] = []

    def progress(result: ImportResult) -> None:
        seen.append((result.read, result.imported, result.rejected))

    result = import_votes(engine, rows("a-1", 25, 3), lambda key: {"id": key}, progress)
    assert (result.imported, result.rejected, result.read) == (25, 3, 28)
    assert seen[0] == (10, 10, 0) and seen[1] == (20, 20, 0)
    assert seen[-1] == (28, 25, 3), "the last call carries the final counts"


def test_the_progress_line_shows_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with import_progress(console) as progress:
        assert progress is not None
        progress(ImportResult(imported=1200, bad=[], read=1250))
    text = out.getvalue()
    assert "1,250 rows read" in text and "1,200 imported" in text and "0 rejected" in text


def test_no_progress_when_stderr_is_not_a_terminal():
    console = Console(file=io.StringIO(), force_terminal=False)
    with import_progress(console) as progress:
        assert progress is None


def test_the_command_prints_no_progress_noise_off_a_terminal(runner, hc, db_url):
    manifest = json.loads((hc / "site" / "_kb" / "manifest.json").read_text("utf-8"))
    article = manifest["articles"][0]["id"]
    file = hc / "votes.jsonl"
    lines = [
        {"article": article, "csat": 4, "created_at": "2025-01-02", "comment": str(n)}
        for n in range(1200)
    ]
    file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = runner.invoke(main, ["feedback", "import", str(file), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output == "1200 votes imported, 0 already present, 0 bad rows.\n"
