"""Options shared by several commands."""

from __future__ import annotations

import os
from pathlib import Path

import click

config_option = click.option(
    "-f", "--config-file", "config_file", default="mkdocs.yml", show_default=True,
    type=click.Path(dir_okay=False), help="The help center's mkdocs.yml.",
)

db_option = click.option(
    "--db", "db", default=None, metavar="URL",
    help="Database URL (default: KB_DATABASE_URL, else SQLite in the project's .kb/).",
)


def site_dir_for(config_file: str, override: str | None = None) -> Path:
    """The built site a command reads: ``--site-dir``, ``KB_SITE_DIR``, else the newer of the
    built site (``site_dir`` of mkdocs.yml) and the preview that ``kb serve`` keeps current,
    so that after ``make serve`` the CLI sees the same articles as the running API."""
    if override:
        return Path(override)
    if os.environ.get("KB_SITE_DIR"):
        return Path(os.environ["KB_SITE_DIR"])
    from ..builder import load_project_config
    from ..errors import KbError
    from ..manifest import manifest_path
    from ..serve import default_site_dir

    try:
        built = Path(load_project_config(config_file).site_dir)
    except KbError:
        built = Path(config_file).resolve().parent / "site"
    preview = default_site_dir(config_file)
    candidates = [d for d in (built, preview) if manifest_path(d).is_file()]
    if not candidates:
        return built
    return max(candidates, key=lambda d: manifest_path(d).stat().st_mtime)
