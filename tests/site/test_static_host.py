"""What readers see on an existing site served by a static host with no kb API behind it
(docs/existing-site.md): the pages and their navigation as always, a widget that says it could
not save the answer (the host answers 405 to a POST) or keeps it on the device (the API cannot
be reached), and Material's own search in place of the API's."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers import SCREENSHOTS
from tests.site.test_existing_site import _build, _write
from tests.site.test_widget_browser import expect_text

pytestmark = pytest.mark.browser

SETTINGS = {
    "theme": {"name": "material", "font": False},
    "nav": [{"Home": "index.md"}, {"Install": "install.md"}, {"Backup": "backup.md"}],
}
FILES = {
    "docs/index.md": "# Home\n\nWelcome.\n",
    "docs/install.md": "# Install\n\nDownload the installer and run it.\n",
    "docs/backup.md": "# Backup\n\nCopy the archive folder to another disk every night.\n",
}


class _StaticHost(SimpleHTTPRequestHandler):
    """A static host: files only; a POST is answered 405, as GitHub Pages does."""

    def do_POST(self):  # noqa: N802 - the http.server hook's name
        self.send_error(405)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def static_site(tmp_path_factory, browser):
    done, site = _build(
        _write(tmp_path_factory.mktemp("static"), SETTINGS, FILES, ["search", "kb"])
    )
    assert done.returncode == 0, done.stderr
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_StaticHost, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_vote_the_host_refuses_is_said_so(page, static_site):
    page.goto(static_site + "install/")
    assert page.locator(".md-nav__link").filter(has_text="Backup").count() >= 1
    page.click("[data-csat='4']")
    expect_text(page, "[data-kb-status]", "Sorry, your feedback could not be saved.")
    assert page.locator("[data-ces='1']").is_hidden()  # it asks nothing more
    page.locator("[data-kb-feedback]").screenshot(path=str(SCREENSHOTS / "kb-static-refused.png"))


def test_a_vote_with_the_api_out_of_reach_waits_on_the_device(page, static_site):
    page.route("**/api/v1/**", lambda route: route.abort())
    page.goto(static_site + "install/")
    page.click("[data-csat='5']")
    expect_text(page, "[data-kb-status]", "saved on this device")
    queued = page.evaluate("Object.values(JSON.parse(localStorage['kb-feedback-queue']))")
    assert [q["vote"]["csat"] for q in queued] == [5]


def test_search_falls_back_to_materials_own(page, static_site):
    page.goto(static_site + "install/")
    page.click("[data-md-component=search-query]")
    page.fill("[data-md-component=search-query]", "archive")
    page.wait_for_selector(".md-search-result__item", timeout=10000)
    assert "Backup" in page.locator(".md-search-result__item").first.inner_text()
    assert page.locator("a[data-kb-search-result]").count() == 0
