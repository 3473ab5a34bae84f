"""The ``kb`` command line: one group, one module per concern."""

from __future__ import annotations

import click

from .. import __version__
from .db import db
from .dev import dev
from .feedback import feedback
from .privacy import backup, purge, restore  # noqa: F401 - join the db and feedback groups
from .report import report
from .search import search
from .serve import serve
from .site import build, check, init, new
from .webhooks import webhooks


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """kb: a help center kept as Markdown in git that learns from its readers."""


for command in (init, new, check, build, serve, db, feedback, report, dev, search, webhooks):
    main.add_command(command)
