"""The site's Content-Security-Policy without a browser: kb's own templates need no inline
script or handler, and the site-wide policy for a CDN allows exactly the inline scripts
mkdocs-material puts on the pages (the browser test checks it under ``kb serve``)."""

from __future__ import annotations

import re

from kb.core.site_headers import inline_script_hashes, main, site_csp, site_policy
from tests.helpers import ROOT

THEME = ROOT / "theme"
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_kb_templates_have_no_inline_script_or_handler():
    for path in THEME.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "application/json" in tag, (path, tag)
        assert not HANDLER.search(html), path
        assert "javascript:" not in html, path


def test_built_pages_carry_no_inline_handlers(built_site):
    for page in built_site.rglob("*.html"):
        assert not HANDLER.search(page.read_text(encoding="utf-8")), page


def test_site_policy_allows_each_pages_inline_scripts_and_nothing_inline(built_site):
    headers = site_policy(built_site, "https://api.example.com")
    csp = headers["Content-Security-Policy"]
    script_src = csp.split("script-src ")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    for page in built_site.rglob("*.html"):
        for source in inline_script_hashes(page.read_bytes()):
            assert source in script_src, page
    assert "connect-src 'self' https://api.example.com" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_hashes_skip_data_blocks_and_external_scripts():
    html = (
        b'<script src="a.js"></script><script type="application/json">{"a":1}</script>'
        b"<script>alert(1)</script><script>alert(1)</script>"
    )
    assert len(inline_script_hashes(html)) == 1
    assert "'sha256-" in site_csp(inline_script_hashes(html))


def test_command_line_prints_the_headers(built_site, capsys):
    assert main([str(built_site)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("X-Content-Type-Options: nosniff") and "Content-Security-Policy:" in out
    assert main(["/nonexistent"]) == 2
