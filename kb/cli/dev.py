"""``kb dev``: tools for trying kb out (simulated votes for a demo help center)."""

from __future__ import annotations

import json

import click

from kb.cli.options import config_option, site_dir_for
from kb.core.manifest import read_manifest
from kb.dev.simulate import demo_rows


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
    "--out",
    "out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write the JSONL (default: standard output).",
)
@config_option
def fake_votes(
    n_votes: int, weak: tuple[str, ...], days: int, seed: int, out, config_file: str
) -> None:
    """Write realistic votes for the built help center as JSONL for 'kb feedback import'."""
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
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    click.echo(f"{len(rows)} votes written", err=True)
