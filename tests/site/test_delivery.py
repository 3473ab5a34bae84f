"""``kb serve`` delivers the site as production does: gzip for text, a year's cache for
fingerprinted files, revalidation for the rest; pages describe themselves for search engines."""

from __future__ import annotations

import gzip
import html
import re
import urllib.request
from pathlib import Path

import pytest

from kb.core import delivery
from kb.core.scaffold import init_project
from kb.plugin.assets import minify
from tests.deploy.shipped import CADDYFILE, NGINX_SITE
from tests.helpers import serving_with_api, write_article


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    project = tmp_path_factory.mktemp("delivery")
    init_project(project, "en")
    write_article(
        project,
        "billing/no-summary.md",
        "---\ntitle: Pay by bank transfer\n---\n\nTransfers reach us within two working days."
        " Quote the invoice number.\n\n## Details\n\nMore text.\n",
    )
    with serving_with_api(project) as (base, _engine):
        yield base, project


def get(url: str, gzip_ok: bool = True) -> tuple[dict[str, str], bytes]:
    headers = {"Accept-Encoding": "gzip, deflate, br"} if gzip_ok else {}
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def body(headers: dict, data: bytes) -> bytes:
    return gzip.decompress(data) if headers.get("content-encoding") == "gzip" else data


def description(page: bytes) -> str:
    match = re.search(rb'<meta name="description" content="([^"]*)"', page)
    assert match, "no meta description"
    return html.unescape(match.group(1).decode())


def test_pages_are_gzipped_and_revalidated(served):
    base, _ = served
    headers, data = get(base + "billing/no-summary/")
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert headers["cache-control"] == "no-cache"
    assert int(headers["content-length"]) == len(data)
    page = gzip.decompress(data)
    assert b"Pay by bank transfer" in page and len(data) < len(page) / 2
    # a client that does not ask for gzip gets the same page as it is
    plain_headers, plain = get(base + "billing/no-summary/", gzip_ok=False)
    assert "content-encoding" not in plain_headers and plain == page
    # the security headers are still there, with the CSP hashing the page's inline scripts
    assert "script-src 'self'" in headers["content-security-policy"]


def test_fingerprinted_assets_are_cached_for_a_year(served):
    base, project = served
    _, data = get(base)
    page = gzip.decompress(data).decode()
    links = re.findall(r'(?:src|href)="(assets/[^"]+\.(?:css|js))"', page)
    own = [u for u in links if u.startswith("assets/kb/")]
    names = {re.sub(r"\.[0-9a-f]{8}\.", ".", u.rsplit("/", 1)[-1]) for u in own}
    assert names == {"kb.css", "feedback.css", "feedback.js", "search.js", "search-index.js"}
    for url in links:  # Material's and kb's alike
        headers, data = get(base + url)
        assert headers["cache-control"] == delivery.IMMUTABLE, url
        assert headers["content-encoding"] == "gzip", url
    # the fingerprinted file is the minified source, also served under its plain name
    sources = project / ".kb" / "serve-site"
    for url in own:
        plain_url = re.sub(r"\.[0-9a-f]{8}\.", ".", url)
        headers, data = get(base + url)
        plain_headers, plain = get(base + plain_url)
        assert body(headers, data) == body(plain_headers, plain) == (sources / url).read_bytes()
        assert plain_headers["cache-control"] == "no-cache"
        text = body(headers, data).decode()
        assert minify(url, text) == text
    # a binary file is sent as it is, with a short lifetime (its name does not change)
    headers, data = get(base + "assets/images/favicon.png")
    assert "content-encoding" not in headers and data.startswith(b"\x89PNG")
    assert headers["cache-control"] == "no-cache"


def test_search_worker_and_index_wait_for_a_reason(served):
    """The page names kb's small worker, which loads Material's only once the index arrives;
    the index itself is held back by search-index.js (tests/search/test_browser.py)."""
    base, _ = served
    page = gzip.decompress(get(base)[1]).decode()
    worker = re.search(r'"search": *"([^"]*kb-search\.[0-9a-f]{8}\.js)\?worker=([^"]+)"', page)
    assert worker, "Material's worker is not replaced"
    headers, data = get(base + worker.group(1).lstrip("./"))
    assert b"importScripts" in body(headers, data)
    headers, data = get(base + "assets/javascripts/workers/" + worker.group(2))
    assert headers["cache-control"] == delivery.IMMUTABLE


def test_every_page_has_a_description(served):
    base, project = served
    article = (project / "articles" / "account" / "reset-your-password.md").read_text("utf-8")
    summary = re.search(r"^summary: (.+)$", article, re.M).group(1)
    assert description(body(*get(base + "account/reset-your-password/"))) == summary
    # without a summary, the lead paragraph
    lead = description(body(*get(base + "billing/no-summary/")))
    assert lead == "Transfers reach us within two working days. Quote the invoice number."
    home = description(body(*get(base)))
    assert home.startswith("Answers and step-by-step guides: ") and "Billing" in home
    assert description(body(*get(base + "billing/")))


DOCS = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented(lang: str) -> str:
    """The ``lang`` code block of the compression and caching part of deployment.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("**Compression and cache lifetimes.**", 1)[1].split("\n### ", 1)[0]
    return re.search(rf"```{lang}\n(.*?)```", section, re.S).group(1)


@pytest.mark.parametrize(("lang", "shipped"), [("nginx", NGINX_SITE), ("caddy", CADDYFILE)])
def test_the_shipped_configs_carry_the_documented_lines(lang, shipped):
    config = {line.strip() for line in shipped.read_text(encoding="utf-8").splitlines()}
    for line in documented(lang).splitlines():
        assert line.strip() in config, line


def test_the_documented_headers_are_what_the_preview_sends(served):
    base, _ = served
    nginx, caddy = documented("nginx"), documented("caddy")
    page = gzip.decompress(get(base)[1]).decode()
    asset = re.search(r'href="(assets/kb/kb\.[0-9a-f]{8}\.css)"', page).group(1)
    sent = {
        "page": get(base)[0],
        "asset": get(base + asset)[0],
        "index": get(base + "search/search_index.json")[0],
    }
    immutable, revalidate = sent["asset"]["cache-control"], sent["page"]["cache-control"]
    # nginx: the same lifetimes, pattern, level, threshold and types
    locations = dict(re.findall(r'location (.*?) \{\s*add_header Cache-Control "([^"]+)"', nginx))
    pattern = re.search(r'~\* "(.+)"', next(k for k, v in locations.items() if v == immutable))
    assert pattern and pattern.group(1) == delivery.FINGERPRINTED.pattern
    assert locations["/"] == revalidate == sent["index"]["cache-control"]
    assert f"gzip_comp_level {delivery.GZIP_LEVEL};" in nginx
    assert f"gzip_min_length {delivery.COMPRESS_MIN};" in nginx
    types = re.search(r"gzip_types ([^;]+);", nginx).group(1).split()
    assert {"text/html", *types} == set(delivery.COMPRESSED_TYPES)  # nginx adds text/html
    # Caddy: the same
    matchers = dict(re.findall(r"@(\w+) (?:not )?path_regexp (\S+)", caddy))
    assert set(matchers.values()) == {delivery.FINGERPRINTED.pattern}
    headers = dict(re.findall(r'header @(\w+) Cache-Control "([^"]+)"', caddy))
    assert headers == {"fingerprinted": immutable, "other": revalidate}
    assert f"gzip {delivery.GZIP_LEVEL}" in caddy
    assert f"minimum_length {delivery.COMPRESS_MIN}" in caddy
    for kind, headers_sent in sent.items():
        assert headers_sent["content-encoding"] == "gzip", kind
        assert headers_sent["vary"] == "Accept-Encoding", kind


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("*", True),
        ("", False),
    ],
)
def test_accept_encoding(header, ok):
    assert delivery.accepts_gzip(header) is ok
