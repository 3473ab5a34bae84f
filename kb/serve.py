"""``kb serve``: the site with live reload, plus kb's WSGI apps (API, dashboard) on one port."""

from __future__ import annotations

import logging
import posixpath
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.livereload import LiveReloadServer, _serve_url

from kb.core import csp_sources, delivery, site_headers
from kb.plugin.builder import load_project_config
from kb.search import settings as search_checks

log = logging.getLogger("mkdocs.kb.serve")
# What the build keeps for the API and the tools (the manifest with owners and review dates,
# revisions, the search index generations): never a file for readers, here as in deploy/.
PRIVATE_DIR = "_kb"

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class KbServer(LiveReloadServer):
    """MkDocs' live-reload server that hands some URL prefixes to other WSGI apps, and
    answers the site's own files with security headers (kb/core/site_headers.py), cache
    lifetimes and gzip as a production host does (kb/core/delivery.py)."""

    def __init__(
        self, *args, mounts: dict[str, WSGIApp] | None = None, api_url: str = "", **kwargs
    ) -> None:
        self.mounts = sorted((mounts or {}).items(), key=lambda kv: -len(kv[0]))
        self.api_url = api_url
        super().__init__(*args, **kwargs)
        self.site_dir = Path(kwargs.get("root") or ".")  # its _kb/csp.json: the site's sources

    def serve_request(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, app in self.mounts:
            if path == prefix.rstrip("/") or path.startswith(prefix):
                return app(environ, start_response)
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _data: None  # MkDocs' server returns its body, never write()s

        body = super().serve_request(environ, capture)  # calls _serve_request below
        headers = captured.get("headers", [])
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        html = None
        if content_type.startswith("text/html"):
            html = b"".join(body)  # the CSP hashes the page's inline scripts
            if hasattr(body, "close"):
                body.close()
            body = [html]
        present = {k.lower() for k, _ in headers}
        sources, report_only = csp_sources.read(self.site_dir) if html else ({}, False)
        extra = site_headers.headers_for(
            content_type, html, self.api_url, sources, report_only=report_only
        )
        status = captured.get("status", "500 Internal Server Error")
        if status.startswith("200"):
            extra["Cache-Control"] = delivery.cache_control(path)
            if delivery.compressible(content_type):
                extra["Vary"] = "Accept-Encoding"
                body = self._compressed(environ, body, headers)
        headers += [(k, v) for k, v in extra.items() if k.lower() not in present]
        start_response(status, headers)
        return body

    def _serve_request(self, environ, start_response):
        """MkDocs' file serving, except the build's private folder: 404, as a missing file."""
        path = posixpath.normpath("/" + environ.get("PATH_INFO", "")).lstrip("/")
        mount = self.mount_path.strip("/")
        rel = path[len(mount) :].lstrip("/") if mount and path.startswith(mount) else path
        if rel == PRIVATE_DIR or rel.startswith(PRIVATE_DIR + "/"):
            return None
        return super()._serve_request(environ, start_response)

    @staticmethod
    def _compressed(environ, body, headers: list) -> Iterable[bytes]:
        """``body`` gzipped, with its headers changed to say so, when the browser accepts gzip."""
        if not delivery.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
            return body
        data = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        if len(data) < delivery.COMPRESS_MIN:
            return [data]
        small = delivery.gzip_body(data)
        headers[:] = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(small)))]
        return [small]


def api_app(
    project_dir: Path,
    site_dir: Path,
    database_url: str | None = None,
    config_file: str | Path | None = None,
) -> WSGIApp:
    """The feedback API (and dashboard) for a preview: schema created or upgraded on start."""
    # Flask, SQLAlchemy and Alembic (~1 s): not for the commands that only ask default_site_dir
    from kb.feedback_api import create_app
    from kb.store.engine import database_url as resolve_url

    return create_app(
        {
            "PROJECT_DIR": project_dir,
            "CONFIG_FILE": Path(config_file or project_dir / "mkdocs.yml"),
            "SITE_DIR": site_dir,
            "DATABASE_URL": resolve_url(project_dir, database_url),
            "AUTO_UPGRADE": True,  # a writer never has to run 'kb db upgrade' to preview
        }
    )


def default_site_dir(config_file: str | Path) -> Path:
    return Path(config_file).resolve().parent / ".kb" / "serve-site"


def _quiet_dirty_warning(record: logging.LogRecord) -> bool:
    """kb serve's rebuilds are dirty by design; MkDocs' warning about it would repeat at
    every save."""
    return not str(record.msg).startswith("A 'dirty' build is being performed")


def make_server(
    config_file: str | Path = "mkdocs.yml",
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    livereload: bool = True,
    mounts: dict[str, WSGIApp] | None = None,
    site_dir: str | Path | None = None,
) -> KbServer:
    """Build the site once and return a server ready for ``serve()``.

    Later rebuilds are "dirty": only changed articles are rendered again, so an edit shows
    in the browser within about a second even on a large help center.
    """
    config_file = Path(config_file)
    site_dir = Path(site_dir or default_site_dir(config_file))
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.mkdir(parents=True)
    serve_url = _serve_url(host, port, "/")

    def get_config():
        config = load_project_config(config_file, site_dir=str(site_dir), dev_addr=f"{host}:{port}")
        config.site_url = serve_url
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    state = {"first": True}

    def builder(cfg=None) -> None:
        cfg = cfg or get_config()
        log.info("Building the help center...")
        mkdocs_build(cfg, serve_url=serve_url if livereload else None, dirty=not state["first"])
        state["first"] = False

    api_url = str((config.extra.get("kb") or {}).get("api_url") or "")
    # MkDocs polls the watched files every 0.5 s; a quarter second halves the wait for an
    # edit to be noticed (a poll stats every article: about 5 ms per 1,000).
    server = KbServer(
        builder=builder,
        host=host,
        port=port,
        root=str(site_dir),
        mounts=mounts,
        api_url=api_url,
        polling_interval=0.25,
    )
    logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty_warning)

    def error_page(code: int) -> bytes | None:
        page = site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    builder(config)
    if livereload:
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        synonyms = search_checks.synonyms_dir(config)
        if synonyms is not None and synonyms.is_dir():  # the project's search synonyms
            server.watch(str(synonyms))
    return server
