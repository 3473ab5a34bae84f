"""``kb search "query"``: search the built help center, as the API does;
``kb search reindex``: bring the search index up to date without a full build."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import search_checks
from ..errors import KbError
from .options import config_option, site_dir_for

LANG_CHOICE = click.Choice(("en", "it"))


class _QueryGroup(click.Group):
    """A group whose first argument is a query unless it names a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_QueryGroup, invoke_without_command=False)
def search() -> None:
    """Search the help center: kb search "QUERY" [--lang] [--limit] [--json]."""


@search.command("query", hidden=True)
@click.argument("text", nargs=-1, required=True)
@click.option("--lang", type=LANG_CHOICE, default=None,
              help="The reader's language (default: the site's main language).")
@click.option("--limit", type=click.IntRange(1, 50), default=10, show_default=True,
              help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--site-dir", type=click.Path(file_okay=False), default=None,
              help="The built site (default: site_dir of mkdocs.yml).")
@config_option
def query(text, lang, limit, as_json, site_dir, config_file) -> None:
    """Search the built help center for TEXT."""
    from search.index import SearchIndexError
    from search.service import SearchService

    svc = SearchService(site_dir_for(config_file, site_dir))
    try:
        answer = svc.search(" ".join(text), lang, limit)
    except SearchIndexError as exc:
        raise click.ClickException(str(exc)) from None
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
        click.echo(f"    {_unescape(snippet)}")
    click.echo(f"{answer['total']} matching article{'s' * (answer['total'] != 1)}.")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@search.command()
@click.option("--full", is_flag=True, help="Index every article again, not only changed ones.")
@click.option("--site-dir", type=click.Path(file_okay=False), default=None,
              help="The built site to publish into (default: site_dir of mkdocs.yml).")
@config_option
def reindex(full: bool, site_dir: str | None, config_file: str) -> None:
    """Update the search index from the articles (only what changed) and publish it."""
    from search.documents import from_article
    from search.index import SearchIndexError, publish, update_index

    from ..builder import load_project_config
    from ..project import load_help_center

    try:
        config = load_project_config(config_file)
    except KbError as exc:
        raise click.ClickException(str(exc)) from None
    kb_conf = config.plugins.get("kb")
    categories = kb_conf.config.categories if kb_conf else {}
    lang = str(config.theme.get("language") or "en")
    hc = load_help_center(Path(config.docs_dir), categories=categories, default_lang=lang,
                          with_git=False)
    pretty = config.use_directory_urls
    docs = [from_article(a, a.path[:-3] + ("/" if pretty else ".html")) for a in hc.articles]
    project = Path(config_file).resolve().parent
    target = Path(site_dir or config.site_dir)
    problems = search_checks.check_config(config)
    if problems:  # the same synonym errors that stop kb build
        raise click.ClickException("\n".join(map(str, problems)))
    try:
        result = update_index(project / ".kb" / "search-index", docs, fresh=full)
        if target.is_dir():
            publish(project / ".kb" / "search-index", target,
                    synonyms=search_checks.synonyms_dir(config),
                    builtin_synonyms=search_checks.builtin_synonyms(config))
    except SearchIndexError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Search index: {result.added} added, {result.updated} updated, "
               f"{result.removed} removed, {result.unchanged} unchanged "
               f"in {result.seconds:.2f} s.")
    if not target.is_dir():
        click.echo(f"No site in {target} yet: run 'kb build' to publish the index.", err=True)
