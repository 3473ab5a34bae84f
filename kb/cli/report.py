"""``kb report``: which articles to rewrite and why, in the terminal, a pull request or CI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict

import click
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from kb.cli import report_notfound
from kb.cli.db import database_failure, open_existing_engine
from kb.cli.options import config_option, db_option, project_for, site_dir_of
from kb.core.manifest import manifest_path
from kb.review.deflection import SITE_FIELDS, Journey
from kb.review.notfound import load_not_found
from kb.review.report import load_review
from kb.review.scoring import pct
from kb.store.transfer import csv_safe

FORMATS = ("table", "markdown", "json", "csv")
CSV_COLUMNS = (
    "id",
    "path",
    "title",
    "revision",
    "category",
    "type",
    "questions",
    "owner",
    "votes",
    "csat",
    "csat_low",
    "csat_high",
    "ces",
    "hard_share",
    "comments",
    "views",
    "readers",
    "contacts",
    "contact_rate",
    "flagged",
    "reasons",
    "before_votes",
    "before_csat",
    "before_ces",
)


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD)", param_hint="'--since'"
        ) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for a terminal, markdown for a pull request, json or csv for tools.",
)
@click.option("--flagged-only", is_flag=True, help="List only the flagged articles.")
@click.option(
    "--since",
    "since",
    default=None,
    metavar="DATE",
    help="Count only votes from this day on (YYYY-MM-DD, UTC).",
)
@click.option("--fail-on-flagged", is_flag=True, help="Exit 1 when any article is flagged (CI).")
@db_option
@config_option
def report(
    fmt: str,
    flagged_only: bool,
    since: str | None,
    fail_on_flagged: bool,
    db: str | None,
    config_file: str,
) -> None:
    """Scores of every article and the ones to rewrite, with the reasons in plain words."""
    since_at = _since(since)
    project = project_for(config_file)
    site_dir = site_dir_of(project)
    not_built = click.ClickException(
        f"the help center is not built (no manifest in {site_dir}); run 'kb build' first"
    )
    if not manifest_path(site_dir).is_file():
        raise not_built  # before the database: a site is the first thing a report needs
    engine = open_existing_engine(db, config_file)
    try:
        result = load_review(engine, project, site_dir=site_dir, since=since_at)
        articles = (a.article for a in result.articles)
        not_found = load_not_found(engine, site_dir, articles, lang=project.lang, since=since_at)
    except FileNotFoundError:
        raise not_built from None
    except SQLAlchemyError as exc:
        raise database_failure(exc) from None
    finally:
        engine.dispose()
    rows = [a for a in result.articles if a.flagged or not flagged_only]
    rows.sort(key=_order)
    if fmt == "json":
        # No indent: the C encoder is several times faster on thousands of articles.
        doc = {**as_json(result, rows, since), "not_found": report_notfound.as_json(not_found)}
        click.echo(json.dumps(doc, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(as_csv(rows), nl=False)  # one row per article: the section is not one
    elif fmt == "markdown":
        section = report_notfound.as_markdown(not_found, _md_cell)
        click.echo("\n".join([as_markdown(result, rows, since), *section]))
    else:
        print_table(result, rows, since)
        report_notfound.print_table(Console(soft_wrap=False), not_found)
    if fail_on_flagged and result.flagged:
        raise SystemExit(1)


def _order(a) -> tuple:
    # Flagged first, the strongest evidence first; then the least satisfying.
    return (
        not a.flagged,
        -(a.p_csat_worse or 0) if a.flagged else 0,
        a.current.csat if a.current.csat is not None else 2.0,
        a.article.get("path") or "",
    )


def _ces(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def site_summary(result) -> dict:
    site = result.baselines.site
    a, b = result.prior_csat
    out = {
        **site.to_dict(),
        "articles": len(result.articles),
        "flagged": len(result.flagged),
        "prior_csat_mean": round(a / (a + b), 4),
        "prior_strength": round(a + b, 1),
    }
    out.update(_site_fields(result.journey))
    return out


def _site_fields(journey: Journey | None) -> dict:
    """The site's (or a category's) views, readers, contacts and readers per contact."""
    j = (journey or Journey()).to_dict()
    return {k: j[k] for k in SITE_FIELDS}


def _has_journey(result) -> bool:
    """Whether readers were counted at all (a site without the view beacon has none)."""
    return bool(result.journey and (result.journey.views or result.journey.contacts))


def _journey_line(s: dict) -> str:
    """The site's journey in words: '6,600 readers (9,100 views), 124 contacts with support
    (1.9%): 53 readers per contact'."""
    text = (
        f"{s['readers']:,} readers ({s['views']:,} views), {s['contacts']:,} contacts with support"
    )
    if s["contact_rate"] is not None:
        text += f" ({pct(s['contact_rate'])})"
    if s["self_service_score"] is not None:
        text += f": {s['self_service_score']:.0f} readers per contact"
    return text


def _contacted(a, sep: str = " ") -> str:
    """An article's contacts over its readers, with the rate and its 95 % range."""
    j = a.journey
    if j is None or not j.readers:
        return "–"
    lo, hi = j.contact_interval or (0.0, 0.0)
    return f"{j.contacts}/{j.readers}{sep}{pct(j.contact_rate)} ({pct(lo)}–{pct(hi)})"


def as_json(result, rows, since: str | None) -> dict:
    return {
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "since": since,
        "settings": asdict(result.settings),
        "site": site_summary(result),
        "categories": {
            k: {**t.to_dict(), **_site_fields(result.category_journeys.get(k))}
            for k, t in sorted(result.baselines.by_category.items())
        },
        "types": {k: t.to_dict() for k, t in sorted(result.baselines.by_type.items())},
        "articles": [a.to_dict() for a in rows],
    }


def as_csv(rows) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for a in rows:
        d = a.to_dict()
        d["reasons"] = "; ".join(d["reasons"])
        before = d.get("before") or {}
        d.update(
            before_votes=before.get("votes"),
            before_csat=before.get("csat"),
            before_ces=before.get("ces"),
        )
        w.writerow({k: csv_safe(v) for k, v in d.items()})  # no formulas in a spreadsheet
    return buf.getvalue()


def _before_after(a) -> str:
    if a.before is None:
        return ""
    b, c = a.before, a.current
    text = (
        f"CSAT {pct(b.csat)} ({b.votes}) → {pct(c.csat)} ({c.votes}); "
        f"CES {_ces(b.ces)} → {_ces(c.ces)}"
    )
    jb, jc = a.journey_before, a.journey
    if jb is not None and jc is not None and (jb.readers or jc.readers):
        text += (
            f"; contacted support {pct(jb.contact_rate)} ({jb.readers} readers) → "
            f"{pct(jc.contact_rate)} ({jc.readers})"
        )
    return text


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>!|"})


def _md_code(text: str) -> str:
    """Text inside a `code span` of a table cell (backslash escapes do not apply there)."""
    return str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _md_cell(text: str) -> str:
    """Text for a Markdown table cell, shown as typed: readers' search queries quoted in a
    reason cannot become links, images or HTML in a pull-request comment."""
    return str(text).translate(_MD_SPECIAL).replace("\n", " ")


def _questions(a) -> str:
    """What the article's widget asks, when it is not the full set (docs/widget.md): the short
    set's "yes" counts as satisfied (CSAT 4), its "no" as dissatisfied (2), and it has no CES."""
    q = a.article.get("questions", "full")
    return " · short questions (helpful?)" if q == "short" else " · no widget" if q is None else ""


def as_markdown(result, rows, since: str | None) -> str:
    s = site_summary(result)
    journey = _has_journey(result)
    lines = [
        f"## Help center review{f' since {since}' if since else ''}",
        "",
        f"**{s['flagged']} of {s['articles']} articles flagged.** Site: CSAT "
        f"{pct(s['csat'])} over {s['votes']} votes, CES {_ces(s['ces'])} of 7."
        + (f" {_journey_line(s)}." if journey else ""),
        "",
    ]
    lines += [
        "| | Article | Votes | CSAT (95% range) | CES | Hard |"
        + (" Readers | Contacted support (95% range) |" if journey else "")
        + " Why |",
        "|---|---|--:|--:|--:|--:|" + ("--:|--:|" if journey else "") + "---|",
    ]
    for a in rows:
        t = a.current
        rng = f" ({pct(t.csat_interval[0])}–{pct(t.csat_interval[1])})" if t.csat_interval else ""
        why = "; ".join(r.text for r in a.reasons)
        if a.before is not None:
            why = (why + "; " if why else "") + "rewritten: " + _before_after(a)
        lines.append(
            f"| {'⚑' if a.flagged else ''} | {_md_cell(a.article.get('title'))} "
            f"`{_md_code(a.article.get('path'))}`{_questions(a)} | {t.votes} | "
            f"{pct(t.csat)}{rng} | "
            f"{_ces(t.ces)} | {pct(t.hard_share)} | "
            + (f"{a.journey.readers if a.journey else 0} | {_contacted(a)} | " if journey else "")
            + f"{_md_cell(why)} |"
        )
    return "\n".join(lines)


def print_table(result, rows, since: str | None) -> None:
    console = Console(soft_wrap=False)
    s = site_summary(result)
    journey = _has_journey(result)
    table = Table(
        box=box.SIMPLE_HEAD,
        show_lines=False,
        expand=False,
        title=f"Help center review{f' since {since}' if since else ''}",
        caption=(
            f"{s['flagged']} of {s['articles']} flagged · site CSAT "
            f"{pct(s['csat'])} over {s['votes']} votes · CES {_ces(s['ces'])}"
            + (f"\n{_journey_line(s)}" if journey else "")
        ),
    )
    table.add_column("", width=1, no_wrap=True)
    table.add_column("Article", min_width=16, ratio=2, overflow="fold")
    table.add_column("Votes", justify="right", no_wrap=True)
    table.add_column("CSAT", justify="right", no_wrap=True)
    table.add_column("CES", justify="right", no_wrap=True)
    table.add_column("Hard", justify="right", no_wrap=True)
    if journey:
        table.add_column("Contacted", justify="right", no_wrap=True)
    table.add_column("Why", min_width=20, ratio=3)
    for a in rows:
        t = a.current
        rng = (
            f"\n[dim]{pct(t.csat_interval[0])}–{pct(t.csat_interval[1])}[/]"
            if t.csat_interval
            else ""
        )
        why = "\n".join(f"• {escape(r.text)}" for r in a.reasons)
        if a.before is not None:
            why = (why + "\n" if why else "") + f"[cyan]rewritten:[/] {_before_after(a)}"
        cells = [
            "[bold red]⚑[/]" if a.flagged else "",
            f"{escape(str(a.article.get('title')))}\n"
            f"[dim]{escape(str(a.article.get('path')))}{escape(_questions(a))}[/]",
            str(t.votes),
            f"{pct(t.csat)}{rng}",
            _ces(t.ces),
            pct(t.hard_share),
        ]
        if journey:
            cell = _contacted(a, "\n[dim]")
            cells.append(cell + "[/]" if "[dim]" in cell else cell)
        table.add_row(*cells, why, end_section=False)
    console.print(table)
