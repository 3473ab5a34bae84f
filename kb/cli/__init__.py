"""The ``kb`` command line: one group, one module per concern."""

from __future__ import annotations

import click

from kb import __version__
from kb.cli.db import db
from kb.cli.dev import dev
from kb.cli.feedback import feedback
from kb.cli.privacy import backup, purge, restore  # noqa: F401 - join the db and feedback groups
from kb.cli.report import report
from kb.cli.search import search
from kb.cli.serve import serve
from kb.cli.site import build, check, init, new
from kb.cli.webhooks import webhooks


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """kb: a help center kept as Markdown in git that learns from its readers."""


for command in (init, new, check, build, serve, db, feedback, report, dev, search, webhooks):
    main.add_command(command)
