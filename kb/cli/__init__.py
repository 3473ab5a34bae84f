"""The ``kb`` command line: one group, one module per concern.

Each command's module is imported only when that command runs (Click's lazy-loading
pattern): ``kb build`` does not pay for SQLAlchemy and Alembic, which only the database
commands need. ``kb --help`` lists every command, and so imports them all.
"""

from __future__ import annotations

import importlib

import click

from kb import __version__

# name -> "module:attribute". The privacy module adds ``purge`` to the ``feedback`` group
# and ``backup``/``restore`` to ``db``, so those two groups are taken from it, fully built.
COMMANDS = {
    "init": "kb.cli.site:init",
    "new": "kb.cli.site:new",
    "check": "kb.cli.site:check",
    "translations": "kb.cli.translations:translations",
    "build": "kb.cli.site:build",
    "serve": "kb.cli.serve:serve",
    "db": "kb.cli.privacy:db",
    "feedback": "kb.cli.privacy:feedback",
    "report": "kb.cli.report:report",
    "dev": "kb.cli.dev:dev",
    "search": "kb.cli.search:search",
    "webhooks": "kb.cli.webhooks:webhooks",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """kb: a help center kept as Markdown in git that learns from its readers."""
