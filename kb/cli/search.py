"""``kb search "query"``: search the built help center, as the API does;
``kb search reindex``: the search step of ``kb build`` without rendering the pages."""

from __future__ import annotations

import html
import json

import click

from kb.cli.options import config_option, site_dir_for
from kb.plugin.search import reindex as reindex_project
from kb.search.service import SearchService

LANG_CHOICE = click.Choice(("en", "it"))
QUERY = "query"  # the hidden command a query goes to


class _QueryGroup(click.Group):
    """A group whose first argument is a query unless it names a subcommand; its help shows
    how to search (the query's argument and options) and the subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [QUERY, *args]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["[OPTIONS]", "QUERY...", "|", "COMMAND", "[ARGS]..."]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        query_command = self.commands[QUERY]
        query_ctx = click.Context(query_command, info_name=ctx.info_name, parent=ctx.parent)
        query_command.format_options(query_ctx, formatter)
        self.format_commands(ctx, formatter)


@click.group(cls=_QueryGroup, invoke_without_command=False)
def search() -> None:
    """Search the built help center for QUERY (the words to look for), as the search box
    and the API do; or run a COMMAND.

    \b
    Examples:
      kb search reset password
      kb search "request a refund" --lang en --limit 3 --json
      kb search reindex
    """


@search.command(QUERY, hidden=True)
@click.argument("text", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "--lang",
    type=LANG_CHOICE,
    default=None,
    help="The reader's language (default: the site's main language).",
)
@click.option(
    "--limit", type=click.IntRange(1, 50), default=10, show_default=True, help="How many results."
)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The built site (default: site_dir of mkdocs.yml).",
)
@config_option
def query(text, lang, limit, as_json, site_dir, config_file) -> None:
    """Search the built help center for QUERY."""
    svc = SearchService(site_dir_for(config_file, site_dir))
    answer = svc.search(" ".join(text), lang, limit)  # no index: SiteNotBuilt, "run kb build"
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    if answer["suggestion"]:
        click.echo(f"Did you mean: {answer['suggestion']}")
    if not answer["results"]:
        click.echo("No matching articles.")
        return
    for i, r in enumerate(answer["results"], 1):
        section = f" › {r['section']['title']}" if r.get("section") else ""
        click.echo(f"{i:2}. {r['title']}{section}  ({r['path']}, {r['score']:.1f})")
        snippet = r["snippet"].replace("<mark>", "").replace("</mark>", "")
        click.echo(f"    {html.unescape(snippet)}")
    click.echo(f"{answer['total']} matching article{'s' * (answer['total'] != 1)}.")


@search.command()
@click.option("--full", is_flag=True, help="Index every article again, not only changed ones.")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The built site to publish into (default: site_dir of mkdocs.yml).",
)
@config_option
def reindex(full: bool, site_dir: str | None, config_file: str) -> None:
    """Update the search index as 'kb build' does (only what changed) and publish it."""
    result, target = reindex_project(config_file, site_dir=site_dir, full=full)
    done = result.index
    click.echo(
        f"Search index: {done.added} added, {done.updated} updated, "
        f"{done.removed} removed, {done.unchanged} unchanged "
        f"in {done.seconds:.2f} s."
    )
    if result.published is None:
        click.echo(f"No site in {target} yet: run 'kb build' to publish the index.", err=True)
