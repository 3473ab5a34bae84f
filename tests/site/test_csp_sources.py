"""A CSP the site can live with: the policy allows what the site itself loads (its extra_css
and extra_javascript from a CDN, Google Fonts when theme.font is on, badges, a mermaid
diagram, the repository's facts, the API), more by the plugin's csp: sources: setting, and
is sent report-only on request, by kb serve and in the headers for the deployment."""

from __future__ import annotations

import urllib.request

import pytest
import yaml

from kb.core import csp_sources
from kb.core.site_headers import CSP, CSP_REPORT_ONLY, main, site_csp, site_policy
from tests.helpers import serving_with_api
from tests.site.test_existing_site import _build, _write

SETTINGS = {
    "theme": {"name": "material", "font": {"text": "Inter"}},
    "repo_url": "https://github.com/example/docs",
    "extra_css": ["https://cdn.jsdelivr.net/npm/katex@0.16/dist/katex.min.css", "local.css"],
    "extra_javascript": ["https://cdn.jsdelivr.net/npm/katex@0.16/dist/katex.min.js"],
    "nav": [{"Home": "index.md"}, {"Diagram": "diagram.md"}],
}
FILES = {
    "docs/index.md": "# Home\n\n![build](https://img.shields.io/badge/build-passing-green)\n",
    # as pymdownx.superfences' mermaid fence writes it
    "docs/diagram.md": '# Diagram\n\n<pre class="mermaid"><code>graph LR\n  A --> B</code></pre>\n',
    "docs/local.css": "body { margin: 0; }\n",
}
KB = {"kb": {"csp": {"sources": {"img-src": ["https://images.example.com"]}}}}


def _config(root, kb):
    return _write(root, SETTINGS, FILES, ["search", kb])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    conf = _config(tmp_path_factory.mktemp("csp"), KB)
    done, site = _build(conf)
    assert done.returncode == 0, done.stderr
    return conf, site


def _directive(csp: str, name: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def test_the_deployment_headers_allow_what_the_site_loads(built, capsys):
    _conf, site = built
    csp = site_policy(site, "https://api.example.com")[CSP]
    assert {"https://cdn.jsdelivr.net", "https://unpkg.com"} <= set(_directive(csp, "script-src"))
    assert {"https://cdn.jsdelivr.net", "https://fonts.googleapis.com"} <= set(
        _directive(csp, "style-src")
    )
    assert "https://fonts.gstatic.com" in _directive(csp, "font-src")
    assert {"https://img.shields.io", "https://images.example.com"} <= set(
        _directive(csp, "img-src")
    )
    assert _directive(csp, "connect-src") == ["'self'", "https://api.example.com", GITHUB]
    assert "'unsafe-inline'" not in _directive(csp, "script-src")
    assert main(["--format", "nginx", str(site)]) == 0
    assert "https://unpkg.com" in capsys.readouterr().out


GITHUB = "https://api.github.com"


def test_kb_serve_sends_the_sites_policy(built):
    conf, _site = built
    with serving_with_api(conf) as (base, _engine):
        with urllib.request.urlopen(base + "diagram/") as answer:
            csp = answer.headers[CSP]
            assert answer.headers[CSP_REPORT_ONLY] is None
    assert "https://unpkg.com" in _directive(csp, "script-src")
    assert "https://fonts.gstatic.com" in _directive(csp, "font-src")
    assert "https://images.example.com" in _directive(csp, "img-src")


def test_report_only_mode(tmp_path):
    conf = _config(tmp_path, {"kb": {"csp": {"report_only": True}}})
    with serving_with_api(conf) as (base, _engine):
        with urllib.request.urlopen(base) as answer:
            assert answer.headers[CSP] is None
            assert "script-src 'self'" in answer.headers[CSP_REPORT_ONLY]
    assert CSP_REPORT_ONLY in site_policy(
        conf / "site" if (conf / "site").is_dir() else conf / ".kb" / "serve-site"
    )


def test_a_page_without_other_origins_keeps_the_strict_policy():
    csp = site_csp([], "", csp_sources.page_sources(b"<img src='a.png'><script src='/x.js'>"))
    assert _directive(csp, "img-src") == ["'self'", "data:"]
    assert _directive(csp, "script-src") == ["'self'"]
    assert "media-src" not in csp and "frame-src" not in csp


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ({"img": ["https:"]}, "unknown directive 'img'"),
        ({"script-src": "https://cdn.example"}, "script-src: must be a list"),
        ({"script-src": ["'unsafe-eval'"]}, "'unsafe-eval'' is not a source kb allows"),
        ({"img-src": ["https://a.example; script-src *"]}, "is not a source kb allows"),
    ],
)
def test_a_wrong_sources_setting_stops_the_build(tmp_path, sources, message):
    assert any(message in p for p in csp_sources.setting_problems(sources))
    done, _site = _build(_config(tmp_path, {"kb": {"csp": {"sources": sources}}}))
    assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr


def test_the_sources_file_names_the_build(built):
    sources, report_only = csp_sources.read(built[1])
    assert report_only is False and sources["connect-src"] == [GITHUB]
    assert yaml.safe_dump(sources)  # plain data
