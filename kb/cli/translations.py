"""``kb translations``: the translation backlog, one row per article, one column per language."""

from __future__ import annotations

import json

import click

from kb.cli.options import config_option
from kb.core import revisions
from kb.core.errors import KbError
from kb.core.helpcenter import load_help_center
from kb.core.translation_status import CURRENT, MISSING, OUTDATED, Status, statuses
from kb.core.translations import group
from kb.plugin.project import load_project

STATUSES = (CURRENT, OUTDATED, MISSING)


def _cell(st: Status) -> str:
    if st.status == OUTDATED and st.source_changed:
        return f"outdated since {st.source_changed.date().isoformat()}"
    return st.status


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="A table for people, or JSON for scripts.",
)
@click.option(
    "--fail-on",
    type=click.Choice((OUTDATED, MISSING)),
    multiple=True,
    help="Exit with status 1 when any translation is outdated (or missing); repeatable.",
)
@config_option
def translations(fmt: str, fail_on: tuple[str, ...], config_file: str) -> None:
    """Each article's translations: current, outdated or missing, per language."""
    try:
        project = load_project(config_file)
    except KbError as exc:
        raise click.ClickException(str(exc)) from None
    languages = list(project.languages)
    if not languages or project.docs_dir is None:
        raise click.ClickException(
            f"{config_file} has no 'languages' setting of the kb plugin "
            "(e.g. languages: [it, en]); see docs/writers-guide.md, 'Languages'"
        )
    hc = load_help_center(project.docs_dir, languages=languages)
    history = revisions.read_history(revisions.project_history_path(project.project_dir))
    rows = statuses(
        group(hc.articles, languages),
        languages,
        history,
        docs_dir=project.docs_dir,
        rewrite_similarity=project.review.rewrite_similarity,
    )
    if fmt == "json":
        doc = {
            "languages": languages,
            "articles": [
                {
                    "id": g.id,
                    "source": g.source_lang,
                    "translations": {lang: st.as_json() for lang, st in row.items()},
                }
                for g, row in rows
            ],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        _table(rows, languages)
    found = {st.status for _g, row in rows for st in row.values()}
    if found & set(fail_on):
        raise SystemExit(1)


def _table(rows, languages: list[str]) -> None:
    # Outdated first (the oldest first), then missing, then the rest: the backlog on top.
    def urgency(item) -> tuple:
        _g, row = item
        dates = [st.source_changed.isoformat() for st in row.values() if st.source_changed]
        kinds = {st.status for st in row.values()}
        return (0 if OUTDATED in kinds else 1 if MISSING in kinds else 2, min(dates, default=""))

    ordered = sorted(rows, key=urgency)
    cells = [[g.id, *(_cell(row[lang]) for lang in languages)] for g, row in ordered]
    header = ["article", *languages]
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
    for r in [header, *cells]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    for lang in languages:
        counts = {s: sum(1 for _g, row in rows if row[lang].status == s) for s in STATUSES}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        click.echo(f"{lang}: {summary}", err=True)
