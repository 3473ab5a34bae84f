"""``kb webhooks``: send review events (low votes with a comment, new flags) to a URL."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from ..errors import KbError
from .db import database_failure, open_engine
from .options import config_option, db_option


@click.group()
def webhooks() -> None:
    """Queue and deliver webhook events (see docs/review.md)."""


@webhooks.command()
@click.option("--loop", "loop", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Keep running, collecting and delivering every SECONDS seconds.")
@click.option("--url", default=None, help="Receiver URL (default: KB_WEBHOOK_URL, then "
              "review.webhook_url in mkdocs.yml).")
@db_option
@config_option
def deliver(loop: int | None, url: str | None, db: str | None, config_file: str) -> None:
    """Queue new events in the outbox, then POST every event that is due (with retries)."""
    from sqlalchemy.exc import SQLAlchemyError

    from feedback_api.db import upgrade

    from .. import webhooks as hooks
    from ..review_data import load_review, review_settings
    from .options import site_dir_for

    try:
        settings_cfg = _review_config(config_file)
        settings = review_settings(config_file)
    except KbError as exc:
        raise click.ClickException(str(exc)) from None
    target = url or os.environ.get("KB_WEBHOOK_URL") or settings_cfg.get("webhook_url")
    if not target:
        raise click.ClickException("no webhook URL: set KB_WEBHOOK_URL or review.webhook_url "
                                   "in mkdocs.yml, or pass --url")
    if not target.startswith(("http://", "https://")):
        raise click.BadParameter(f"'{target}' is not an http(s) URL", param_hint="'--url'")
    secret = os.environ.get("KB_WEBHOOK_SECRET")
    if not secret:
        click.echo("warning: KB_WEBHOOK_SECRET is not set; events are sent unsigned", err=True)
    engine = open_engine(db, config_file)
    try:
        upgrade(engine)
        while True:
            try:
                review = load_review(engine, site_dir_for(config_file),
                                     Path(config_file).resolve().parent, settings)
            except FileNotFoundError:
                raise click.ClickException("the help center is not built; run 'kb build' "
                                           "first") from None
            queued = hooks.collect(engine, review, target,
                                   events=tuple(settings_cfg.get("webhook_events")
                                                or hooks.EVENTS),
                                   low_csat=int(settings_cfg.get("webhook_low_csat") or 2),
                                   site_url=os.environ.get("KB_SITE_URL"))
            result = hooks.deliver(engine, secret)
            click.echo(f"{queued} queued, {result.sent} sent, {result.retrying} to retry, "
                       f"{result.failed} failed")
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
    """How many events are pending, sent and failed."""
    from sqlalchemy.exc import SQLAlchemyError

    from .. import webhooks as hooks

    engine = open_engine(db, config_file)
    try:
        counts = hooks.pending(engine)
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
    for name in ("pending", "sent", "failed"):
        click.echo(f"{name}: {counts.get(name, 0)}")


def _review_config(config_file: str) -> dict:
    if not Path(config_file).exists():
        return {}
    from ..builder import load_project_config

    plugin = load_project_config(config_file).plugins.get("kb")
    review = getattr(getattr(plugin, "config", None), "review", None)
    return dict(review) if review is not None else {}
