"""``kb serve``: preview the help center (and, once built, its API) on one port."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kb.cli.options import config_option, db_option


@click.command()
@click.option("--host", "-H", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    "-p",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option("--no-livereload", is_flag=True, help="Do not rebuild and reload on changes.")
@db_option
@config_option
def serve(host: str, port: int, no_livereload: bool, db: str | None, config_file: str) -> None:
    """Preview the help center locally, with its feedback API and dashboard on the same port;
    rebuilds and reloads the browser on every change."""
    # MkDocs' server, the API (Flask) and the store (~1 s): only for this command
    from kb.serve import api_app, default_site_dir, make_server
    from kb.store.engine import database_errors

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(handler)
    mk_log.setLevel(logging.INFO)
    project_dir = Path(config_file).resolve().parent
    site_dir = default_site_dir(config_file)
    with database_errors():
        app = api_app(project_dir, site_dir, db, config_file)
        server = make_server(
            config_file,
            host,
            port,
            livereload=not no_livereload,
            mounts={"/api/": app, "/dashboard/": app},
            site_dir=site_dir,
        )
    try:
        server.serve()
    except KeyboardInterrupt:
        click.echo("Shutting down...")
    finally:
        server.shutdown()
