"""Options shared by several commands."""

from __future__ import annotations

import click

config_option = click.option(
    "-f", "--config-file", "config_file", default="mkdocs.yml", show_default=True,
    type=click.Path(dir_okay=False), help="The help center's mkdocs.yml.",
)

db_option = click.option(
    "--db", "db", default=None, metavar="URL",
    help="Database URL (default: KB_DATABASE_URL, else SQLite in the project's .kb/).",
)
