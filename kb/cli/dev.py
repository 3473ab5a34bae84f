"""``kb dev``: tools for trying kb out (simulated votes for a demo help center)."""

from __future__ import annotations

import json

import click

from kb.cli.options import config_option, site_dir_for
from kb.core.manifest import read_manifest
from kb.dev.fake_journey import demo_journey
from kb.dev.simulate import demo_rows, demo_weak


@click.group()
def dev() -> None:
    """Developer tools: realistic fake data for demos and tests."""


@dev.command("fake-votes")
@click.option(
    "--votes",
    "n_votes",
    type=click.IntRange(1, 10_000_000),
    default=400,
    show_default=True,
    help="How many votes to make.",
)
@click.option(
    "--weak",
    multiple=True,
    metavar="ARTICLE",
    help="An article (id or path) readers struggle with; repeatable. Default: two at random.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Spread the votes over the last DAYS days.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option(
    "--journey/--no-journey",
    default=True,
    show_default=True,
    help="Also write the readers' journey: views, searches, contacts with support.",
)
@click.option(
    "--out",
    "out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write the JSONL (default: standard output).",
)
@config_option
def fake_votes(
    n_votes: int,
    weak: tuple[str, ...],
    days: int,
    seed: int,
    journey: bool,
    out,
    config_file: str,
) -> None:
    """Write realistic votes for the built help center as JSONL for 'kb feedback import',
    with the readers' journey around them (views, searches, contacts with support)."""
    site_dir = site_dir_for(config_file)
    try:
        articles = read_manifest(site_dir)["articles"]
    except FileNotFoundError:
        raise click.ClickException(
            f"the help center is not built (no manifest in {site_dir}); run 'kb build' first"
        ) from None
    known = {a["id"] for a in articles} | {a["path"] for a in articles}
    for w in weak:
        if w not in known:
            raise click.BadParameter(f"no article '{w}' (by id or path)", param_hint="'--weak'")
    rows = demo_rows(articles, n_votes, weak=list(weak) or None, days=days, seed=seed)
    steps: list[dict] = []
    if journey:
        weak_ids = demo_weak(articles, list(weak) or None, seed)
        steps = demo_journey(articles, rows, weak=weak_ids, seed=seed, days=days)
    for row in [*rows, *steps]:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    more = f" and {len(steps):,} rows of the readers' journey" if steps else ""
    click.echo(f"{len(rows)} votes{more} written", err=True)
