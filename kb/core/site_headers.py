"""Security headers for the static help center: a strict Content-Security-Policy and friends.

kb's own pages need no inline script (the widget and search are files under assets/kb/).
mkdocs-material adds a few small inline scripts (``__md_scope``, the palette, the anchor
scroll, and under ``kb serve`` MkDocs' live-reload snippet); they are allowed by their SHA-256
hash, never by ``'unsafe-inline'``, so an injected ``<script>`` or ``onclick=`` cannot run.
Material's inline ``<style>`` and ``style=`` attributes need ``style-src 'unsafe-inline'``,
which cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from kb.core import csp_sources

_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SRC = re.compile(rb"\bsrc\s*=", re.I)
_TYPE = re.compile(rb"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
# Script types a browser runs; others (application/json: Material's __config) are data.
_JS_TYPES = {b"", b"text/javascript", b"application/javascript", b"module", b"text/ecmascript"}

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"

# The same for every response of the site (and of the API on its own origin).
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Readers' page paths (which can say what they struggle with) stay on this origin.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def inline_script_hashes(html: bytes) -> list[str]:
    """``'sha256-…'`` sources for every inline script a browser would run, in page order."""
    hashes: list[str] = []
    for match in _SCRIPT.finditer(html):
        attrs, body = match.group(1), match.group(2)
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else b"") not in _JS_TYPES:
            continue
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def origin_of(url: str) -> str:
    """``https://api.example.com`` from an ``api_url``; "" for a same-origin (relative) one."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def site_csp(
    script_hashes: Iterable[str] = (),
    api_url: str = "",
    sources: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The policy for a page: scripts from the site (plus the given hashes), connections to
    the site and the kb API, and what the site itself loads from elsewhere (``sources``, by
    directive: kb/core/csp_sources.py); no plugins, no framing by other sites."""
    api = origin_of(api_url)
    extra = csp_sources.merge({"connect-src": [api], "form-action": [api]}, sources or {})

    def directive(name: str, *base: str) -> str:
        return " ".join([name, *base, *(v for v in extra.get(name, []) if v not in base)])

    optional = [directive(d, "'self'") for d in ("media-src", "frame-src") if extra.get(d)]
    return "; ".join(
        [
            "default-src 'self'",
            directive("script-src", "'self'", *script_hashes),
            directive("style-src", "'self'", "'unsafe-inline'"),
            directive("img-src", "'self'", "data:"),
            directive("font-src", "'self'", "data:"),
            directive("connect-src", "'self'"),
            *optional,
            directive("worker-src", "'self'", "blob:"),
            "object-src 'none'",
            "base-uri 'self'",
            directive("form-action", "'self'"),
            "frame-ancestors 'self'",
        ]
    )


def policy_header(report_only: bool) -> str:
    """The header's name: a report-only policy only reports what it would block."""
    return CSP_REPORT_ONLY if report_only else CSP


def headers_for(
    content_type: str,
    body: bytes | None,
    api_url: str = "",
    sources: Mapping[str, Iterable[str]] | None = None,
    *,
    report_only: bool = False,
) -> dict[str, str]:
    """Every security header for one static response (the CSP only on HTML pages, allowing
    what the page itself loads from other origins and the build's ``sources``)."""
    headers = dict(BASE_HEADERS)
    if body is not None and content_type.split(";")[0].strip() == "text/html":
        allowed = csp_sources.merge(sources or {}, csp_sources.page_sources(body))
        headers[policy_header(report_only)] = site_csp(inline_script_hashes(body), api_url, allowed)
    return headers


def site_policy(site_dir: str | Path, api_url: str = "") -> dict[str, str]:
    """One set of headers for every page of a built site (for a CDN or nginx): the CSP allows
    the union of the pages' inline script hashes (Material's differ only by page depth) and of
    what they load from other origins, with the build's sources (``_kb/csp.json``)."""
    hashes: list[str] = []
    sources, report_only = csp_sources.read(site_dir)
    for page in sorted(Path(site_dir).rglob("*.html")):
        html = page.read_bytes()
        for source in inline_script_hashes(html):
            if source not in hashes:
                hashes.append(source)
        sources = csp_sources.merge(sources, csp_sources.page_sources(html))
    return {**BASE_HEADERS, policy_header(report_only): site_csp(hashes, api_url, sources)}


FORMATS = ("lines", "nginx", "caddy")


def render(headers: dict[str, str], fmt: str = "lines") -> str:
    """The headers as ``Name: value`` lines, nginx ``add_header`` lines (an include for the
    static locations, ``always`` so error pages carry them too) or Caddy ``header`` lines."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    lines = []
    for name, value in headers.items():
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if fmt == "nginx":
            lines.append(f"add_header {name} {quoted} always;")
        elif fmt == "caddy":
            lines.append(f"header {name} {quoted}")
        else:
            lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"


USAGE = "usage: python -m kb.core.site_headers [--format lines|nginx|caddy] SITE_DIR [API_URL]"


def main(argv: list[str] | None = None) -> int:
    """``python -m kb.core.site_headers [--format F] SITE_DIR [API_URL]``: the headers for
    every page of a built site, as lines, an nginx include or a Caddy snippet."""
    args = list(sys.argv[1:] if argv is None else argv)
    fmt = "lines"
    for flag in ("--format", "-F"):
        while flag in args:
            at = args.index(flag)
            fmt = args[at + 1] if at + 1 < len(args) else ""
            del args[at : at + 2]
    if fmt not in FORMATS or not args or len(args) > 2 or not Path(args[0]).is_dir():
        print(USAGE, file=sys.stderr)
        return 2
    policy = site_policy(args[0], args[1] if len(args) > 1 else "")
    sys.stdout.write(render(policy, fmt))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
