"""``kb webhooks``: send review events (low votes with a comment, new flags, the weekly digest
of what customers could not find) to a URL."""

from __future__ import annotations

import os
import time

import click
from sqlalchemy.exc import SQLAlchemyError

from kb.cli.db import database_failure, open_engine, open_existing_engine
from kb.cli.options import config_option, db_option, project_for, site_dir_of
from kb.review import webhooks as hooks
from kb.review.digest import EVENT as DIGEST
from kb.review.digest import collect_digest
from kb.review.report import load_review
from kb.store.engine import upgrade


@click.group()
def webhooks() -> None:
    """Queue and deliver webhook events (see docs/review.md)."""


@webhooks.command()
@click.option(
    "--loop",
    "loop",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Keep running, collecting and delivering every SECONDS seconds.",
)
@click.option(
    "--url",
    default=None,
    help="Receiver URL (default: KB_WEBHOOK_URL, then review.webhook_url in mkdocs.yml).",
)
@db_option
@config_option
def deliver(loop: int | None, url: str | None, db: str | None, config_file: str) -> None:
    """Queue new events in the outbox, then POST every event that is due (with retries)."""
    project = project_for(config_file)
    settings = project.webhooks
    target = url or os.environ.get("KB_WEBHOOK_URL") or settings.url
    if not target:
        raise click.ClickException(
            "no webhook URL: set KB_WEBHOOK_URL or review.webhook_url in mkdocs.yml, or pass --url"
        )
    if not target.startswith(("http://", "https://")):
        raise click.BadParameter(f"'{target}' is not an http(s) URL", param_hint="'--url'")
    secret = os.environ.get("KB_WEBHOOK_SECRET")
    if not secret:
        click.echo("warning: KB_WEBHOOK_SECRET is not set; events are sent unsigned", err=True)
    engine = open_engine(db, config_file)
    try:
        upgrade(engine)
        moved = hooks.retarget(engine, target)
        if moved:
            click.echo(f"{moved} pending events now go to the current URL", err=True)
        while True:
            try:
                review = load_review(engine, project, site_dir=site_dir_of(project), recover=False)
            except FileNotFoundError:
                raise click.ClickException(
                    "the help center is not built; run 'kb build' first"
                ) from None
            queued = hooks.collect(
                engine,
                review,
                target,
                events=settings.events,
                low_csat=settings.low_csat,
                site_url=os.environ.get("KB_SITE_URL"),
            )
            if DIGEST in settings.events:
                queued += collect_digest(
                    engine,
                    site_dir_of(project),
                    (a.article for a in review.articles),
                    target,
                    lang=project.lang,
                    site_url=os.environ.get("KB_SITE_URL"),
                )
            result = hooks.deliver(engine, secret)
            click.echo(
                f"{queued} queued, {result.sent} sent, {result.retrying} to retry, "
                f"{result.failed} failed"
            )
            if loop is None:
                break
            time.sleep(loop)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()


@webhooks.command()
@db_option
@config_option
def status(db: str | None, config_file: str) -> None:
    """How many events are pending, sent and failed, and the last delivery error."""
    engine = open_existing_engine(db, config_file)
    try:
        counts = hooks.pending(engine)
        error = hooks.last_error(engine)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
    for name in ("pending", "sent", "failed"):
        click.echo(f"{name}: {counts.get(name, 0)}")
    if error is not None:
        state = "given up" if error.status == "failed" else "will retry"
        click.echo(
            f"last error: {error.error} (event {error.event_id}, {error.event}, to "
            f"{error.host}, attempt {error.attempts}, {state})"
        )
