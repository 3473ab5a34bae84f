"""``kb feedback``: move votes in (from another tool) and out (for analysis or backup)."""

from __future__ import annotations

import sys

import click

from .db import database_failure, open_engine
from .options import config_option, db_option, site_dir_for


@click.group()
def feedback() -> None:
    """Import and export readers' votes."""


@feedback.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default=None,
              help="Format of FILE (default: from its extension; .csv is CSV, else JSONL).")
@db_option
@config_option
def import_(file, fmt: str | None, db: str | None, config_file: str) -> None:
    """Import votes from FILE (JSONL or CSV): columns article (id or path), csat, ces,
    comment, created_at, and optionally revision, visitor, submission, reason, lang.

    Bad rows are listed with their line numbers and skipped; the good ones are imported.
    Exits 1 when any row was bad. Importing the same file again adds nothing.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from feedback_api.articles import Articles, SiteNotBuilt
    from feedback_api.db import upgrade
    from feedback_api.transfer import guess_format, import_votes, read_rows

    articles = Articles(site_dir_for(config_file))
    try:
        len(articles)
    except SiteNotBuilt:
        raise click.ClickException("the help center is not built (no manifest at "
                                   f"{articles.path}); run 'kb build' first") from None
    engine = open_engine(db, config_file)
    name = getattr(file, "name", "-")
    try:
        upgrade(engine)
        result = import_votes(engine, read_rows(file, fmt or guess_format(name)), articles.find)
        if result.imported:
            # Sum the imported days now, so the first `kb report` afterwards is as fast as
            # any later one (a million imported votes: ~4 s here instead of in the report).
            from ..review_cache import refresh

            refresh(engine)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
    for bad in result.bad:
        click.echo(f"{name}:{bad.line}: {bad.message}", err=True)
    click.echo(f"{result.imported} votes imported, {result.already_present} already present, "
               f"{len(result.bad)} bad rows.")
    if result.bad:
        raise SystemExit(1)


@feedback.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="JSONL (one JSON object a line) or CSV.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@db_option
@config_option
def export(fmt: str, output: str | None, db: str | None, config_file: str) -> None:
    """Write every stored vote, one row each, with its submission (CSV cells that a
    spreadsheet would run as a formula are prefixed with ')."""
    from sqlalchemy.exc import SQLAlchemyError

    from feedback_api.transfer import export_votes

    engine = open_engine(db, config_file)
    try:
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = export_votes(engine, out, fmt)
            click.echo(f"{count} votes written to {output}.", err=True)
        else:
            export_votes(engine, sys.stdout, fmt)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
