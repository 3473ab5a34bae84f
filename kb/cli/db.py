"""``kb db``: the feedback database's schema (Alembic migrations)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import config_option, db_option


def open_engine(db: str | None, config_file: str):
    """The engine every DB-touching command uses: --db, then KB_DATABASE_URL, then SQLite
    in the project's .kb/ (the project being the folder of mkdocs.yml)."""
    from sqlalchemy.exc import ArgumentError

    from feedback_api.db import database_url, make_engine

    url = database_url(Path(config_file).resolve().parent, db)
    try:
        return make_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise click.ClickException(f"cannot use database URL: {exc}") from None


def database_failure(exc: Exception) -> click.ClickException:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return click.ClickException(f"database error: {first}")


@click.group()
def db() -> None:
    """The feedback database: create or upgrade its schema, show its version."""


@db.command()
@db_option
@config_option
def upgrade(db: str | None, config_file: str) -> None:
    """Create the schema or bring it to the newest version (run before starting the API)."""
    from sqlalchemy.exc import SQLAlchemyError

    from feedback_api.db import current_revisions
    from feedback_api.db import upgrade as run_upgrade

    engine = open_engine(db, config_file)
    try:
        before = current_revisions(engine)
        run_upgrade(engine)
        after = current_revisions(engine)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
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
    from sqlalchemy.exc import SQLAlchemyError

    from feedback_api.db import current_revisions, head_revisions

    engine = open_engine(db, config_file)
    try:
        now = current_revisions(engine)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
    heads = head_revisions()
    click.echo(f"database: {', '.join(now) or 'empty (run kb db upgrade)'}")
    click.echo(f"newest:   {', '.join(heads)}")
    if now != heads:
        raise SystemExit(1)
