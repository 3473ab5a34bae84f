"""kb's words in the site's language: a German site keeps 'de' for its pages and votes, shows
kb's words in English until it gives its own (the plugin's 'strings'), and kb check says so."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb.cli import main
from tests.site.test_existing_site import _build, _pages, _write

SETTINGS = {
    "theme": {"language": "de"},
    "nav": [{"Start": "index.md"}, {"Anleitung": "anleitung.md"}, {"Referenz": "referenz.md"}],
}
FILES = {
    "docs/index.md": "# Start\n\nHallo.\n",
    "docs/anleitung.md": "# Anleitung\n\nSo geht es.\n",
    "docs/referenz.md": "# Referenz\n\nAlle Optionen.\n",
}
GERMAN = {
    "feedback.helpful": "War diese Seite hilfreich?",
    "feedback.helpful.yes": "Ja",
    "feedback.send": "Senden",
}


def _site(root, strings=None):
    kb = {"kb": {"short_questions": ["referenz.md"], **({"strings": strings} if strings else {})}}
    conf = _write(root, SETTINGS, FILES, ["search", kb])
    done, site = _build(conf)
    assert done.returncode == 0, done.stderr
    return conf, site


def test_a_german_site_keeps_de_and_speaks_english_until_told(tmp_path):
    conf, site = _site(tmp_path / "plain")
    page = _pages(site)["anleitung/index.html"]
    assert 'data-lang="de"' in page and 'name="lang" value="de"' in page
    assert "How satisfied are you with this article?" in page
    manifest = json.loads((site / "_kb" / "manifest.json").read_text(encoding="utf-8"))
    assert {a["lang"] for a in manifest["articles"]} == {"de"}
    out = CliRunner().invoke(main, ["check", "-f", str(conf / "mkdocs.yml")])
    assert "warning: language 'de' has no kb translation" in out.output, out.output
    assert "strings: {de: {...}}" in out.output


def test_the_sites_own_strings_win(tmp_path):
    conf, site = _site(tmp_path / "own", {"de": GERMAN})
    page = _pages(site)["referenz/index.html"]
    assert "War diese Seite hilfreich?" in page and ">Ja<" in page and "Senden" in page
    assert "Was this page helpful?" not in page


@pytest.mark.parametrize(
    ("strings", "message"),
    [
        ({"de": {"feedback.nope": "x"}}, "strings: de: unknown key 'feedback.nope'"),
        ({"de": {"search.count": "{count} Treffer"}}, "search.count: must use {n}"),
        ({"de": "Ja"}, "strings: de: must map kb's keys to texts"),
    ],
)
def test_wrong_strings_stop_the_build_with_the_config_file(tmp_path, strings, message):
    kb = {"kb": {"strings": strings}}
    done, _site_dir = _build(_write(tmp_path, SETTINGS, FILES, ["search", kb]))
    assert done.returncode != 0 and message in done.stderr and "mkdocs.yml" in done.stderr
    assert "Traceback" not in done.stderr
