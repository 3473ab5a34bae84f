"""kb added to sites that plain MkDocs builds: a matrix of real-world layouts, each built with
'mkdocs build' without kb and with it. With kb the build never fails where MkDocs succeeds,
never prints a traceback, and a site with a 'nav:' keeps its navigation and titles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kb.dev.site_compare import page_shape

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]


def _page(title: str | None, body: str) -> str:
    return (f"# {title}\n\n" if title else "") + body


# name -> (mkdocs.yml settings, {path: text}); paths under "docs/" unless the settings move it
LAYOUTS: dict[str, tuple[dict, dict[str, str]]] = {
    # the root index.md beside other pages (it used to crash the category template)
    "flat root": (
        {},
        {
            "docs/index.md": _page("Welcome", "Start here.\n"),
            "docs/install.md": _page("Install", "Run the installer.\n"),
            "docs/faq.md": _page("Questions", "Ask away.\n"),
        },
    ),
    "index and README sections": (
        {},
        {
            "docs/index.md": _page("Home", "Hi.\n"),
            "docs/guide/index.md": _page("Guide", "The guide.\n"),
            "docs/guide/first.md": _page("First steps", "Go.\n"),
            "docs/ref/README.md": _page("Reference", "All of it.\n"),
            "docs/ref/options.md": _page("Options", "Set them.\n"),
        },
    ),
    "docs_dir outside the config's folder": (
        {"docs_dir": "../content", "site_dir": "../out"},
        {
            "content/index.md": _page("Home", "Hi.\n"),
            "content/setup/connect.md": _page("Connect", "Plug it in.\n"),
        },
    ),
    "nav with navigation.indexes and tabs": (
        {
            "theme": {"features": ["navigation.indexes", "navigation.tabs"]},
            "nav": [
                {"Start": "index.md"},
                {"Geräte": ["devices/index.md", {"Das Mischpult": "devices/mixer.md"}]},
                {"Kabel": [{"Stecker": "cable/plug.md"}]},
            ],
        },
        {
            "docs/index.md": _page("Willkommen", "Hallo.\n"),
            "docs/devices/index.md": _page("Geräte", "Alle Geräte.\n"),
            # titled only by the nav: no title, no H1
            "docs/devices/mixer.md": "Text.\n\n## XR18 {#xr18}\n\nDer Mixer.\n",
            # a URL-style link, as the live site resolves it (cable/plug/ -> devices/mixer/)
            "docs/cable/plug.md": _page("Plug", "See [the mixer](../../devices/mixer/#xr18).\n"),
        },
    ),
    "nav with toc.integrate": (
        {
            "theme": {"features": ["toc.integrate"]},
            "nav": [{"Home": "index.md"}, {"Usage": "usage.md"}],
        },
        {
            "docs/index.md": _page("Home", "Hi.\n"),
            "docs/usage.md": _page("Using it", "## Open\n\nOpen.\n\n## Close\n\nClose.\n"),
        },
    ),
    "URL-style links without nav": (
        {},
        {
            "docs/index.md": _page("Home", "Hi.\n"),
            "docs/kabel/geraete.md": _page("Geräte", "[Mixer](../../devices/mixer/#xr18)\n"),
            "docs/devices/mixer.md": _page("Mixer", "## XR18\n\nIt mixes.\n"),
        },
    ),
    "use_directory_urls false": (
        {
            "use_directory_urls": False,
            "nav": [{"Home": "index.md"}, {"Section": [{"Page": "section/page.md"}]}],
        },
        {
            "docs/index.md": _page("Home", "Hi.\n"),
            "docs/section/page.md": _page(None, "Only the nav titles this.\n"),
        },
    ),
}


def nav_of(html: str) -> tuple[str, list[tuple[str, str]]]:
    shape = page_shape(html)
    return shape.title, list(shape.links)


def _write(root: Path, settings: dict, files: dict[str, str], plugins: list) -> Path:
    conf_dir = root / "site-config"
    config = {"site_name": "Layout", "theme": {"name": "material"}, "plugins": plugins}
    for key, value in settings.items():
        config[key] = {**config[key], **value} if key == "theme" else value
    for path, text in files.items():
        target = (conf_dir / path) if not path.startswith("content/") else root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return conf_dir


def _build(conf_dir: Path) -> tuple[subprocess.CompletedProcess, Path]:
    done = subprocess.run(
        MKDOCS, cwd=conf_dir, capture_output=True, text=True, env=_env(), timeout=120
    )
    config = yaml.safe_load((conf_dir / "mkdocs.yml").read_text())
    return done, (conf_dir / config.get("site_dir", "site")).resolve()


def _env() -> dict:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # without MkDocs' banner


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict]:
    """Each layout built twice: plain MkDocs (search only) and with kb added."""
    out = {}
    for name, (settings, files) in LAYOUTS.items():
        root = tmp_path_factory.mktemp("layout")
        plain = _build(_write(root / "plain", settings, files, ["search"]))
        with_kb = _build(_write(root / "kb", settings, files, ["search", "kb"]))
        out[name] = {"plain": plain, "kb": with_kb, "files": files, "settings": settings}
    return out


def _pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*.html"))
        if p.name != "404.html"
    }


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_kb_builds_every_layout_mkdocs_builds(builds, name):
    b = builds[name]
    for which in ("plain", "kb"):
        done, site = b[which]
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{which} build of {name!r} failed:\n{output}"
        assert "Traceback" not in output, output
        assert (site / "index.html").is_file()
    # kb's own findings on a plain site are never errors
    assert "error:" not in b["kb"][0].stderr


@pytest.mark.parametrize("name", [n for n, (s, _f) in LAYOUTS.items() if "nav" in s])
def test_a_site_with_nav_keeps_its_navigation_and_titles(builds, name):
    b = builds[name]
    plain, with_kb = _pages(b["plain"][1]), _pages(b["kb"][1])
    assert sorted(plain) == sorted(with_kb)
    for page, html in plain.items():
        assert nav_of(with_kb[page]) == nav_of(html), page
        assert "kb-sidebar" not in with_kb[page] and "kb-breadcrumbs" not in with_kb[page]
    # the feedback loop is added: the widget on every page but the home page, a section's
    # own index.md included (some sites keep a whole chapter there)
    widget = [p for p, html in with_kb.items() if "data-kb-feedback" in html]
    assert sorted(widget) == sorted(p for p in plain if p != "index.html"), widget
    # the report names the pages as the site's navigation does
    manifest = json.loads((b["kb"][1] / "_kb" / "manifest.json").read_text(encoding="utf-8"))
    titles = {t for html in plain.values() for t, _href in nav_of(html)[1]}
    assert manifest["articles"] and {a["title"] for a in manifest["articles"]} <= titles


def test_nav_only_titles_and_integrated_toc(builds):
    with_kb = _pages(builds["nav with navigation.indexes and tabs"]["kb"][1])
    assert nav_of(with_kb["devices/mixer/index.html"])[0].startswith("Das Mischpult")
    assert 'data-kb-feedback data-article="devices/mixer"' in with_kb["devices/mixer/index.html"]
    toc = _pages(builds["nav with toc.integrate"]["kb"][1])["usage/index.html"]
    assert 'href="#open"' in toc and 'href="#close"' in toc  # the TOC, inside the nav
    no_dir = _pages(builds["use_directory_urls false"]["kb"][1])
    assert nav_of(no_dir["section/page.html"])[0].startswith("Page")


def test_a_site_without_nav_gets_the_help_center(builds):
    done, site = builds["flat root"]["kb"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Welcome" in home
    page = (site / "install" / "index.html").read_text(encoding="utf-8")
    assert "data-kb-feedback" in page and "kb-sidebar" in page
    # the URL-style link is kept as written and works on the built site
    done, site = builds["URL-style links without nav"]["kb"]
    html = (site / "kabel" / "geraete" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../devices/mixer/#xr18"' in html
    assert (site / "devices" / "mixer" / "index.html").is_file()
