"""Moving votes in and out: ``kb feedback import`` and ``kb feedback export``.

Import reads JSONL or CSV rows (article id or path, csat, ces, comment, created_at, and
optionally revision, visitor, submission, reason, lang), checks each with the same rules as
the API, and inserts the good ones. A row without a submission gets one derived from its
content, so importing the same file twice stores each vote once. A JSONL row with a
``kind`` other than ``vote`` is part of the reader's journey (views, readers, contacts,
searches: :mod:`kb.store.journey_transfer`).

An export imports back losslessly, into SQLite or PostgreSQL: its rows name the article as
``article_id`` (the other tools' files say ``article``; both are read) and carry ``source``,
``updated_at`` and ``version``, which an import keeps. Only the row ``id`` is the target's own.
A vote of kb's own export keeps its article id even when the site no longer has that article
(votes are raw events; the report skips articles it does not know).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import IO, Any

from sqlalchemy import Engine

from kb.core.vocabulary import SOURCES
from kb.core.votes import FieldError, Vote, parse_vote
from kb.store.engine import write_transaction
from kb.store.journey_transfer import KINDS, check_journey_row, iter_journey, store_journey
from kb.store.votes import EXPORT_COLUMNS, insert_new, iter_votes, utcnow

FORMATS = ("jsonl", "csv")
BATCH = 500
KB_VISITOR_RE = re.compile(r"^[0-9a-f]{32}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class BadRow:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    imported: int = 0
    already_present: int = 0
    bad: list[BadRow] = field(default_factory=list)
    read: int = 0  # rows read so far, good or bad
    journey: dict[str, int] = field(default_factory=dict)  # journey rows stored, by kind
    journey_present: int = 0  # journey rows already there

    @property
    def rejected(self) -> int:
        return len(self.bad)


Progress = Callable[[ImportResult], None]


def guess_format(filename: str) -> str:
    return "csv" if filename.lower().endswith((".csv", ".tsv")) else "jsonl"


def read_rows(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) pairs; a row that cannot even be read is a message instead."""
    if fmt == "csv":
        reader = csv.DictReader(stream)
        try:
            reader.fieldnames  # noqa: B018 - reads the header now, so line_num counts it
        except csv.Error as exc:
            yield 1, f"unreadable CSV header: {exc}"
            return
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, f"unreadable CSV: {exc}"
                continue
            if None in row:
                yield line, "more values than columns"
                continue
            cells = {k.strip().lower(): v for k, v in row.items() if k}
            if isinstance(cells.get("comment"), str):
                cells["comment"] = csv_unsafe(cells["comment"])
            yield line, cells
        return
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        yield number, data if isinstance(data, dict) else "a line must be a JSON object"


def parse_created_at(value: Any, now: datetime, name: str = "created_at") -> datetime:
    """ISO 8601 date or time; without a zone it is UTC. Not in the future."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(name, f"{name} is required (ISO 8601, e.g. 2025-03-01T12:00Z)")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(name, f"{name} {value!r} is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment > now + timedelta(days=1):
        raise FieldError(name, f"{name} {value!r} is in the future")
    return moment.astimezone(timezone.utc)


def imported_visitor(value: Any) -> str | None:
    """kb's own visitor hashes pass through; any other id is hashed, never stored raw."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if KB_VISITOR_RE.match(text):
        return text
    return hashlib.sha256(f"kb-import\n{text}".encode()).hexdigest()[:32]


def derived_submission(vote: Vote) -> str:
    """The same row always gets the same submission: re-imports are no-ops."""
    key = json.dumps(
        [
            vote.article,
            vote.created_at.isoformat() if vote.created_at else None,
            vote.csat,
            vote.ces,
            vote.comment,
            vote.reason,
            vote.revision,
            vote.visitor,
            vote.lang,
        ],
        ensure_ascii=False,
    )
    return "imp-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def check_row(
    row: dict[str, Any], find_article: Callable[[str], dict[str, Any] | None], now: datetime
) -> Vote:
    """One import row as a Vote, or FieldError naming what is wrong."""
    for name in ("csat", "ces", "version"):  # some tools write 4.0 for 4
        if isinstance(row.get(name), float) and row[name].is_integer():
            row[name] = int(row[name])
    exported = row.get("article") in (None, "") and row.get("article_id") not in (None, "")
    if exported:  # a row of kb's own export
        row = dict(row, article=row["article_id"])
    vote = parse_vote(row, lenient_types=True)
    entry = find_article(vote.article)
    if entry is None and not exported:
        raise FieldError("article", f"no article {vote.article!r} (by id or path) in the site")
    if entry is not None and not exported:  # an exported row's empty fields stay empty
        vote.article = entry["id"]
        vote.revision = vote.revision or entry.get("revision")
        vote.lang = vote.lang or entry.get("lang")
    vote.created_at = parse_created_at(row.get("created_at"), now)
    vote.visitor = imported_visitor(row.get("visitor"))
    vote.source = imported_source(row.get("source"))
    if row.get("updated_at") not in (None, ""):
        updated = parse_created_at(row["updated_at"], now, "updated_at")
        vote.updated_at = max(updated, vote.created_at)
    vote.version = imported_version(row.get("version"))
    vote.submission = vote.submission or derived_submission(vote)
    return vote


def imported_source(value: Any) -> str:
    """An exported vote keeps its source; a row from another tool is an import."""
    if value in (None, ""):
        return "import"
    if value not in SOURCES:
        raise FieldError("source", f"source must be one of {', '.join(SOURCES)}")
    return str(value)


def imported_version(value: Any) -> int:
    """How often the vote was updated before export, plus one (1 when not given)."""
    if value in (None, ""):
        return 1
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError("version", "version must be a whole number of at least 1")
    return value


def import_votes(
    engine: Engine,
    rows: Iterable[tuple[int, dict[str, Any] | str]],
    find_article: Callable[[str], dict[str, Any] | None],
    progress: Progress | None = None,
) -> ImportResult:
    """Insert every good row (in batches); collect every bad one with its line number.

    ``progress`` is called with the result so far after every batch and once at the end
    (``kb feedback import`` shows rows read, imported and rejected from it)."""
    result = ImportResult()
    now = utcnow()
    batch: list[Vote] = []
    journey: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}

    def flush() -> None:
        with write_transaction(engine) as conn:
            new = insert_new(conn, batch, now)
            for kind, rows in journey.items():
                stored = store_journey(conn, kind, rows)
                if rows:
                    result.journey[kind] = result.journey.get(kind, 0) + stored
                result.journey_present += len(rows) - stored
                rows.clear()
        result.imported += new
        result.already_present += len(batch) - new
        batch.clear()
        if progress is not None:
            progress(result)

    for line, row in rows:
        result.read += 1
        if isinstance(row, str):
            result.bad.append(BadRow(line, row))
            continue
        try:
            if row.get("kind") in (None, "", "vote"):
                batch.append(check_row(row, find_article, now))
            else:
                kind, stored = check_journey_row(
                    row, find_article, now, parse_created_at, imported_visitor
                )
                journey[kind].append(stored)
        except FieldError as exc:
            result.bad.append(BadRow(line, f"{exc.field}: {exc.message}"))
            continue
        if len(batch) + sum(map(len, journey.values())) >= BATCH:
            flush()
    if batch or any(journey.values()):
        flush()
    elif progress is not None:
        progress(result)
    return result


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix with a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_unsafe(value: str) -> str:
    """A cell as :func:`csv_safe` wrote it, without the quote it added."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def export_journey(engine: Engine, out: IO[str]) -> int:
    """Write the reader's journey as JSONL rows with a ``kind``; returns the count."""
    count = 0
    for row in iter_journey(engine):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_votes(engine: Engine, out: IO[str], fmt: str = "jsonl") -> int:
    """Write every stored vote, one row each, with its submission; returns the count."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for vote in iter_votes(engine):
            writer.writerow({k: csv_safe(v) for k, v in vote.items()})
            count += 1
        return count
    for vote in iter_votes(engine):
        out.write(json.dumps(vote, ensure_ascii=False) + "\n")
        count += 1
    return count
