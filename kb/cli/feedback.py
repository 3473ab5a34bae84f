"""``kb feedback``: move votes in (from another tool) and out (for analysis or backup)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from kb.cli.db import open_engine, open_existing_engine
from kb.cli.options import config_option, db_option, site_dir_for

if TYPE_CHECKING:
    from kb.store.transfer import ImportResult


JOURNEY_NAMES = {
    "contact": "contacts",
    "reader": "unique readers",
    "search": "searches",
    "views": "view counters",
}


@click.group()
def feedback() -> None:
    """Import and export readers' votes."""


@contextmanager
def import_progress(
    console: Console | None = None,
) -> Iterator[Callable[[ImportResult], None] | None]:
    """A live line on standard error (rows read, imported, rejected) while an import runs;
    nothing (None) when standard error is not a terminal, so logs and pipes stay clean."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.fields[read]:,} rows read"),
        TextColumn("{task.fields[imported]:,} imported"),
        TextColumn("{task.fields[rejected]:,} rejected"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Importing votes", total=None, read=0, imported=0, rejected=0)

        def show(result: ImportResult) -> None:
            bar.update(task, read=result.read, imported=result.imported, rejected=result.rejected)

        yield show


@feedback.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="Format of FILE (default: from its extension; .csv is CSV, else JSONL).",
)
@db_option
@config_option
def import_(file, fmt: str | None, db: str | None, config_file: str) -> None:
    """Import votes from FILE (JSONL or CSV): columns article (id or path), csat, ces,
    comment, created_at, and optionally revision, visitor, submission, reason, lang.

    A file written by 'kb feedback export' imports back losslessly (article_id, source,
    updated_at and version are kept), with the reader's journey it carries (JSONL rows
    with a kind: views, reader, contact, search). Bad rows are listed with their line numbers and
    skipped; the good ones are imported. Exits 1 when any row was bad. Importing the same
    file again adds nothing.
    """
    # The API's package (Flask), the store and the review (SQLAlchemy, Alembic): about 1 s
    # to import, so only when a command needs them.
    from kb.feedback_api.articles import Articles
    from kb.review.cache import refresh
    from kb.store.engine import database_errors, upgrade
    from kb.store.transfer import guess_format, import_votes, read_rows

    articles = Articles(site_dir_for(config_file))
    len(articles)  # SiteNotBuilt ("run 'kb build' first") before the database is touched
    engine = open_engine(db, config_file)
    name = getattr(file, "name", "-")
    try:
        with database_errors(), import_progress() as progress:
            upgrade(engine)
            rows = read_rows(file, fmt or guess_format(name))
            result = import_votes(engine, rows, articles.find, progress)
            if result.imported or result.journey:
                # Sum the imported days now, so the first `kb report` afterwards is as fast as
                # any later one (a million imported votes: ~4 s here instead of in the report).
                refresh(engine)
    finally:
        engine.dispose()
    for bad in result.bad:
        click.echo(f"{name}:{bad.line}: {bad.message}", err=True)
    click.echo(
        f"{result.imported} votes imported, {result.already_present} already present, "
        f"{len(result.bad)} bad rows."
    )
    if result.journey or result.journey_present:
        stored = ", ".join(
            f"{JOURNEY_NAMES[k]} {n:,}" for k, n in sorted(result.journey.items()) if n
        )
        click.echo(
            f"Reader's journey imported: {stored or 'nothing new'}; "
            f"{result.journey_present:,} rows already present."
        )
    if result.bad:
        raise SystemExit(1)


@feedback.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSONL (one JSON object a line) or CSV.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of standard output.",
)
@db_option
@config_option
def export(fmt: str, output: str | None, db: str | None, config_file: str) -> None:
    """Write every stored vote, one row each, with its submission (CSV cells that a
    spreadsheet would run as a formula are prefixed with '). JSONL also carries the
    reader's journey (view counters, unique readers, contacts, searches) as rows with a
    kind; CSV holds the votes only."""
    # The store (SQLAlchemy, Alembic: ~0.5 s) only when a command needs it.
    from kb.store.engine import database_errors
    from kb.store.transfer import export_journey, export_votes

    engine = open_existing_engine(db, config_file)
    try:
        with database_errors():
            if output:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = export_votes(engine, out, fmt)
                    steps = export_journey(engine, out) if fmt == "jsonl" else 0
                more = f" and {steps} rows of the reader's journey" if steps else ""
                click.echo(f"{count} votes{more} written to {output}.", err=True)
            else:
                export_votes(engine, sys.stdout, fmt)
                if fmt == "jsonl":
                    export_journey(engine, sys.stdout)
    finally:
        engine.dispose()
