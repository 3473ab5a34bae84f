"""``kb feedback purge`` (retention) and ``kb db backup`` / ``kb db restore``.

The commands join the ``feedback`` and ``db`` groups of kb/cli/feedback.py and kb/cli/db.py.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import click

from kb.cli.db import db, open_engine
from kb.cli.feedback import feedback
from kb.cli.options import config_option, db_option
from kb.core.errors import ConfigError, KbError


@feedback.command()
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    required=True,
    metavar="DAYS",
    help="Delete votes (with their comments) created more than DAYS days ago.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@db_option
@config_option
def purge(days: int, dry_run: bool, db: str | None, config_file: str) -> None:
    """Delete votes older than DAYS days, the review marks and queued webhook events that
    quote them, older search queries and contacts, the unique-reader hashes of older days,
    and every visitor salt but today's (for a retention policy; run it daily)."""
    # The store (SQLAlchemy, Alembic: ~0.5 s) only when a command needs it.
    from kb.store.engine import database_errors, upgrade
    from kb.store.retention import purge as run_purge

    engine = open_engine(db, config_file)
    try:
        with database_errors():
            upgrade(engine)
            result = run_purge(engine, days, dry_run=dry_run)
    finally:
        engine.dispose()
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"Votes created before {result.cutoff:%Y-%m-%d %H:%M} UTC: {verb} "
        f"{result.votes} votes, {result.review_marks} review marks, "
        f"{result.webhook_events} webhook events, {result.search_queries} search "
        f"queries, {result.contacts} contacts, {result.readers} reader hashes, "
        f"{result.view_ids} view ids, {result.salts} old visitor salts."
    )


def _sqlite_file(engine) -> Path | None:
    if engine.url.get_backend_name() != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:":
        raise ConfigError("an in-memory SQLite database has nothing to back up")
    return Path(name)


def _pg_guidance(engine, what: str) -> ConfigError:
    # Without the password: '***' in its place would fail when pasted, and the line may end
    # up in a shell history or a ticket. libpq takes it from PGPASSWORD or ~/.pgpass.
    u = engine.url
    url = (
        type(u)
        .create("postgresql", u.username, None, u.host, u.port, u.database, u.query)
        .render_as_string()
    )
    if what == "backup":
        hint = f"pg_dump --format=custom --file kb-feedback.dump '{url}'"
    else:
        hint = f"pg_restore --clean --if-exists --dbname '{url}' kb-feedback.dump"
    credentials_note = ""
    if engine.url.password:
        credentials_note = (
            "\nThe password is left out: give it in PGPASSWORD (PGPASSWORD=... pg_dump ...)\n"
            "or in a ~/.pgpass line host:port:database:user:password (chmod 600)."
        )
    return ConfigError(
        f"kb db {what} copies SQLite databases; for PostgreSQL use its own tools, e.g.\n  "
        f"{hint}{credentials_note}\n(see docs/privacy.md, 'Backups')"
    )


@db.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="The backup file (default: .kb/backups/feedback-<UTC time>.db).",
)
@db_option
@config_option
def backup(output: str | None, db: str | None, config_file: str) -> None:
    """Copy the SQLite database while the API keeps running (SQLite's online backup);
    for PostgreSQL, print the pg_dump command to use."""
    engine = open_engine(db, config_file)
    engine.dispose()
    source = _sqlite_file(engine)
    if source is None:
        raise _pg_guidance(engine, "backup")
    if not source.is_file():
        raise KbError(f"{source}: no database here yet (nothing to back up)")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = Path(output) if output else source.parent / "backups" / f"feedback-{stamp}.db"
    if target.exists():
        raise ConfigError(f"{target}: already exists; choose another --output")
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = _copy(source, target)
    click.echo(f"Backed up {source} to {target} ({pages} pages).")


@db.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@db_option
@config_option
def restore(backup_file: str, yes: bool, db: str | None, config_file: str) -> None:
    """Replace the SQLite database with BACKUP_FILE (made by 'kb db backup')."""
    engine = open_engine(db, config_file)
    engine.dispose()
    target = _sqlite_file(engine)
    if target is None:
        raise _pg_guidance(engine, "restore")
    _check_backup(Path(backup_file))
    if not yes:
        click.confirm(f"Replace {target} with {backup_file}?", abort=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = _copy(Path(backup_file), target)
    click.echo(f"Restored {target} from {backup_file} ({pages} pages).")


def _check_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise KbError(f"{path}: not a SQLite database ({exc})") from None
    if ok != "ok" or "feedback" not in tables:
        raise KbError(f"{path}: not a kb feedback backup (integrity: {ok})")


def _copy(source: Path, target: Path) -> int:
    """SQLite's online backup: a consistent copy even while another process writes."""
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst, pages=256)
            return dst.execute("PRAGMA page_count").fetchone()[0]
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise KbError(f"backup failed: {exc}") from None
