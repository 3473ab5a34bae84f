"""Options shared by several commands."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kb.core.errors import KbError
from kb.core.manifest import manifest_path
from kb.core.project import Project
from kb.plugin.project import load_project
from kb.serve import default_site_dir

config_option = click.option(
    "-f",
    "--config-file",
    "config_file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The help center's mkdocs.yml.",
)

db_option = click.option(
    "--db",
    "db",
    default=None,
    metavar="URL",
    help="Database URL (default: KB_DATABASE_URL, else SQLite in the project's .kb/).",
)


def project_for(config_file: str | Path) -> Project:
    """The project of ``-f``, loaded once for the command: defaults without the file; an
    invalid one is an error naming it."""
    if not Path(config_file).exists():
        return Project.defaults(config_file)
    return load_project(config_file)


def site_dir_for(config_file: str, override: str | None = None) -> Path:
    """:func:`site_dir_of` the project of ``config_file`` (its defaults if it is invalid)."""
    try:
        project = project_for(config_file)
    except KbError:
        project = Project.defaults(config_file)
    return site_dir_of(project, override)


def site_dir_of(project: Project, override: str | None = None) -> Path:
    """The built site a command reads: ``--site-dir``, ``KB_SITE_DIR``, else the newer of the
    built site (``site_dir`` of mkdocs.yml) and the preview that ``kb serve`` keeps current,
    so that after ``make serve`` the CLI sees the same articles as the running API."""
    if override:
        return Path(override)
    if os.environ.get("KB_SITE_DIR"):
        return Path(os.environ["KB_SITE_DIR"])
    built = project.site_dir
    preview = default_site_dir(project.config_file)
    candidates = [d for d in (built, preview) if manifest_path(d).is_file()]
    if not candidates:
        return built
    return max(candidates, key=lambda d: manifest_path(d).stat().st_mtime)
