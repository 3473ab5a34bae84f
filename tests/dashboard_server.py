"""A live dashboard (the API's Flask app) on a free loopback port, for browser tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.helpers import free_port

PASSWORD = "let me in, please"


@contextmanager
def serve_dashboard(project: Path, **config):
    from kb.feedback_api import create_app

    app = create_app(
        {"PROJECT_DIR": str(project), "ADMIN_PASSWORD": PASSWORD, "RATE_LIMIT": "off", **config}
    )
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/dashboard/"
    finally:
        server.shutdown()
        server.server_close()


def log_in(page, base: str, password: str = PASSWORD) -> None:
    page.goto(base)
    page.fill("#password", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
