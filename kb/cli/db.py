"""``kb db``: the feedback database's schema (Alembic migrations).

Errors are kb's own (:mod:`kb.core.errors`, :class:`kb.store.engine.DatabaseError`): click
prints ``Error: <message>`` and exits 1, so no command converts them by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kb.cli.options import config_option, db_option

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kb.store.engine import DatabaseError


def open_engine(db: str | None, config_file: str) -> Engine:
    """The engine every DB-touching command uses: --db, then KB_DATABASE_URL, then SQLite
    in the project's .kb/ (the project being the folder of mkdocs.yml)."""
    from kb.store import engine as store  # SQLAlchemy + Alembic: ~0.5 s, not for every kb command

    return store.open_engine(store.database_url(Path(config_file).resolve().parent, db))


def open_existing_engine(db: str | None, config_file: str) -> Engine:
    """:func:`open_engine` for commands that only read: without a database where it looked
    (or one without kb's tables) the command says where that was and how to point it at the
    real one, and exits 1; it never creates one."""
    from kb.store import engine as store  # SQLAlchemy + Alembic: ~0.5 s, not for every kb command

    url = store.database_url(Path(config_file).resolve().parent, db)
    return store.open_existing(url, store.url_source(db))


def database_failure(exc: Exception) -> DatabaseError:
    """The database's error as kb's own (for commands that catch SQLAlchemy errors
    themselves; :func:`kb.store.engine.database_errors` does it for a block)."""
    from kb.store import engine as store  # SQLAlchemy + Alembic: ~0.5 s, not for every kb command

    return store.DatabaseError(f"database error: {store.first_line(exc)}")


@click.group()
def db() -> None:
    """The feedback database: create or upgrade its schema, show its version."""


@db.command()
@db_option
@config_option
def upgrade(db: str | None, config_file: str) -> None:
    """Create the schema or bring it to the newest version (run before starting the API)."""
    from kb.store import engine as store  # SQLAlchemy + Alembic: ~0.5 s, not for every kb command

    engine = open_engine(db, config_file)
    try:
        with store.database_errors():
            before = store.upgrade(engine)
            after = store.current_revisions(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"{where}: already at {', '.join(after)}")
    else:
        click.echo(f"{where}: upgraded from {', '.join(before) or 'empty'} to {', '.join(after)}")


@db.command()
@db_option
@config_option
def current(db: str | None, config_file: str) -> None:
    """Print the schema version of the database and the newest one kb knows."""
    from kb.store import engine as store  # SQLAlchemy + Alembic: ~0.5 s, not for every kb command

    try:
        engine = open_existing_engine(db, config_file)
    except store.NoDatabase as exc:
        click.echo(str(exc), err=True)
        now: tuple[str, ...] = ()
    else:
        try:
            with store.database_errors():
                now = store.current_revisions(engine)
        finally:
            engine.dispose()
    heads = store.head_revisions()
    click.echo(f"database: {', '.join(now) or 'empty (run kb db upgrade)'}")
    click.echo(f"newest:   {', '.join(heads)}")
    if now != heads:
        raise SystemExit(1)
