"""kb added to five real mkdocs-material sites, kept as small slices in tests/fixtures/sites
(each folder's SOURCE.md names its repository, commit and licence).

Each slice is built with plain MkDocs and with ``kb`` added to its plugins and nothing else
changed. With kb: the build succeeds with no traceback and no warning of its own, every page's
navigation links (title and target) and ``<title>`` are byte-equal, the widget is on every
content page but the home page, and the report names the pages as the site's navigation does.
In Chromium, a vote on each site is stored and ``kb report`` lists the page by its nav title.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.dev.site_compare import compare_sites, first_difference, site_pages, with_kb
from tests.helpers import ROOT, SCREENSHOTS, serving_with_api

SITES = ROOT / "tests" / "fixtures" / "sites"
NAMES = sorted(p.name for p in SITES.iterdir() if (p / "SOURCE.md").is_file())
MKDOCS = [sys.executable, "-m", "mkdocs", "build"]
# a page to vote on in each site, and its title in the site's navigation
VOTE_ON = {
    "docker-mailserver": ("config/account-management/provisioner/file/", "File Based"),
    "linux101": ("Ch01/", "初识 Linux"),
    "mealie": ("documentation/getting-started/faq/", "FAQ"),
    "paperless-ngx": ("usage/", "Basic Usage"),
    "pi-hole": ("main/pihole-command/", "The pihole Command"),
}


def config_of(root: Path) -> Path:
    return next(p for p in (root / "mkdocs.yml", root / "docs" / "mkdocs.yml") if p.is_file())


def warnings(output: str) -> list[str]:
    return sorted(line for line in output.splitlines() if line.startswith("WARNING"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict]:
    """Each site built twice: as it is, and with kb added to its plugins."""
    out = {}
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    for name in NAMES:
        root = tmp_path_factory.mktemp(name)
        result = {}
        for which in ("plain", "kb"):
            copy = root / which
            shutil.copytree(SITES / name, copy)
            config = config_of(copy)
            if which == "kb":
                config.write_text(with_kb(config.read_text(encoding="utf-8")), encoding="utf-8")
            site = root / f"site-{which}"
            done = subprocess.run(
                [*MKDOCS, "-f", str(config), "-d", str(site)],
                capture_output=True,
                text=True,
                env=env,
                timeout=300,
            )
            result[which] = (done, site, config)
        out[name] = result
    return out


def test_the_slices_name_their_source():
    assert len(NAMES) >= 5
    for name in NAMES:
        source = (SITES / name / "SOURCE.md").read_text(encoding="utf-8")
        assert re.search(r"^- Repository: https://github\.com/[\w.-]+/[\w.-]+$", source, re.M)
        assert re.search(r"^- Commit: [0-9a-f]{40}$", source, re.M)
        assert re.search(r"^- Licence: \S", source, re.M)


@pytest.mark.parametrize("name", NAMES)
def test_kb_builds_the_site_and_adds_no_warning(builds, name):
    plain, with_kb_ = builds[name]["plain"][0], builds[name]["kb"][0]
    for which, done in (("plain", plain), ("kb", with_kb_)):
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"{which} build of {name} failed:\n{output}"
        assert "Traceback" not in output, output
    # kb's findings on a site it does not own are at most INFO: 'strict: true' still passes
    assert warnings(with_kb_.stderr) == warnings(plain.stderr)


@pytest.mark.parametrize("name", NAMES)
def test_navigation_and_titles_are_byte_equal(builds, name):
    plain, kb_site = builds[name]["plain"][1], builds[name]["kb"][1]
    cmp = compare_sites(plain, kb_site)
    assert cmp.pages >= 5 and not cmp.only_in_one
    a, b = site_pages(plain), site_pages(kb_site)
    for page in cmp.nav_differs + cmp.title_differs:
        pytest.fail(f"{name} {page}: {first_difference(a[page], b[page])}")
    assert cmp.identical
    for shape in b.values():  # kb's help-center chrome stays out
        assert not any("Help center" in title for title, _href in shape.links)


EMPTY_ARTICLE = re.compile(r'class="md-content__inner md-typeset">\s*</article>')


@pytest.mark.parametrize("name", NAMES)
def test_widget_on_every_content_page_but_the_home_page(builds, name):
    plain, kb_site = builds[name]["plain"][1], builds[name]["kb"][1]
    # a page whose template leaves out the article (mealie's API reference) has no content
    content = {
        rel
        for rel in site_pages(plain)
        if not EMPTY_ARTICLE.search((plain / rel).read_text(encoding="utf-8"))
    }
    expected = content - {"index.html"}
    assert expected and set(compare_sites(plain, kb_site).widget) == expected


def nav_titles(site: Path) -> dict[str, set[str]]:
    """Every title a page has on the built site: its navigation links' texts (from any
    page, the link resolved from there) and its <title> before ' - site name'."""
    out: dict[str, set[str]] = {}
    for rel, shape in site_pages(site).items():
        out.setdefault(rel, set()).add(shape.title.rsplit(" - ", 1)[0])
        for title, href in shape.links:
            target = href.split("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue
            path = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            path = "index.html" if path == "." else path
            path = path + "/index.html" if not path.endswith(".html") else path
            out.setdefault(path, set()).add(title)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_report_names_pages_as_the_site_does(builds, name):
    plain, kb_site = builds[name]["plain"][1], builds[name]["kb"][1]
    manifest = json.loads((kb_site / "_kb" / "manifest.json").read_text(encoding="utf-8"))
    titles = nav_titles(plain)
    assert manifest["articles"]
    for article in manifest["articles"]:
        url = article["url"]
        rel = url + "index.html" if url.endswith("/") else url
        assert article["title"] in titles[rel], (rel, article["title"], titles[rel])


@pytest.mark.browser
# mealie's mkdocs.yml names Material's emoji index by its deprecated module (materialx), which
# warns as it loads; the site builds, and kb serve builds it in this process
@pytest.mark.filterwarnings("ignore::DeprecationWarning:materialx.*")
@pytest.mark.parametrize("name", NAMES)
def test_a_vote_from_chromium_is_stored_and_reported_by_nav_title(
    name, tmp_path, browser, monkeypatch
):
    for var in ("KB_DATABASE_URL", "KB_SITE_DIR"):
        monkeypatch.delenv(var, raising=False)
    copy = tmp_path / name
    shutil.copytree(SITES / name, copy)
    config = config_of(copy)
    config.write_text(with_kb(config.read_text(encoding="utf-8")), encoding="utf-8")
    path, nav_title = VOTE_ON[name]
    project = config.parent
    with serving_with_api(project) as (base, _engine):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # the sites' fonts, CDN scripts and analytics are not reached: the sandbox is offline
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        page.goto(base + path)
        form = page.locator("[data-kb-feedback]")
        form.scroll_into_view_if_needed()
        page.click("[data-csat='5']")
        page.wait_for_selector("[data-kb-feedback] [data-kb-status]:not(:empty)")
        page.screenshot(path=str(SCREENSHOTS / f"kb-site-{name}.png"), full_page=False)
        context.close()
    env = {"KB_SITE_DIR": str(project / ".kb" / "serve-site"), "COLUMNS": "200"}
    db = f"sqlite:///{project / 'feedback.db'}"
    result = CliRunner().invoke(
        main, ["report", "--format", "json", "-f", str(config), "--db", db], env=env
    )
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.output)
    voted = [a for a in doc["articles"] if a.get("votes")]
    # the nav title as plain text ('The &nbsp<samp>pihole</samp>&nbsp Command' in mkdocs.yml)
    assert [" ".join(a["title"].split()) for a in voted] == [nav_title], voted
    assert voted[0]["votes"] == 1
