"""``kb serve``: preview the help center (and, once built, its API) on one port."""

from __future__ import annotations

import logging

import click

from ..errors import KbError
from .options import config_option


@click.command()
@click.option("--host", "-H", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--no-livereload", is_flag=True, help="Do not rebuild and reload on changes.")
@config_option
def serve(host: str, port: int, no_livereload: bool, config_file: str) -> None:
    """Preview the help center locally; rebuilds and reloads the browser on every change."""
    from ..serve import make_server

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(handler)
    mk_log.setLevel(logging.INFO)
    try:
        server = make_server(config_file, host, port, livereload=not no_livereload)
    except KbError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        server.serve()
    except KeyboardInterrupt:
        click.echo("Shutting down...")
    finally:
        server.shutdown()
