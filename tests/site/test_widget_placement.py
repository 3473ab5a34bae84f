"""An existing MkDocs site chooses where kb's widget goes and which questions it asks:
patterns in the plugin's settings, the page's front matter, Material's 'hide: [feedback]'."""

from __future__ import annotations

import json

import pytest

from tests.site.test_existing_site import _build, _pages, _write

SETTINGS = {
    "nav": [
        {"Home": "index.md"},
        {"Guide": [{"Install": "guide/install.md"}, {"Upgrade": "guide/upgrade.md"}]},
        {"Reference": [{"Options": "reference/options.md"}, {"CLI": "reference/cli.md"}]},
        {"API": [{"Client": "api/client.md"}]},
        {"Changes": "changelog.md"},
    ]
}
FILES = {
    "docs/index.md": "# Home\n\nHi.\n",
    "docs/guide/install.md": "# Install\n\nRun it.\n",
    "docs/guide/upgrade.md": "---\nhide: [feedback]\n---\n# Upgrade\n\nUpgrade it.\n",
    "docs/reference/options.md": "# Options\n\nAll of them.\n",
    "docs/reference/cli.md": "---\nfeedback: full\n---\n# CLI\n\nThe command.\n",
    "docs/api/client.md": "# Client\n\nThe client.\n",
    "docs/changelog.md": "# Changes\n\n## 1.0\n",
}
KB = {
    "kb": {
        "feedback_exclude": ["changelog.md", "api/**"],
        "short_questions": ["reference/**"],
    }
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    done, site = _build(
        _write(tmp_path_factory.mktemp("placement"), SETTINGS, FILES, ["search", KB])
    )
    assert done.returncode == 0, done.stderr
    return site


def test_the_widget_goes_where_the_site_says(site):
    pages = _pages(site)
    with_widget = {p for p, html in pages.items() if "data-kb-feedback" in html}
    assert with_widget == {
        "guide/install/index.html",
        "reference/options/index.html",
        "reference/cli/index.html",
    }
    short, full = pages["reference/options/index.html"], pages["guide/install/index.html"]
    assert 'data-helpful="yes"' in short and 'data-helpful="no"' in short
    assert (
        "Was this page helpful?" in short and "data-csat" not in short and "data-ces" not in short
    )
    assert 'data-csat="5"' in full and 'data-ces="7"' in full and "data-helpful" not in full
    assert 'data-csat="5"' in pages["reference/cli/index.html"]  # its front matter: full


def test_the_manifest_says_which_questions_each_page_asks(site):
    manifest = json.loads((site / "_kb" / "manifest.json").read_text(encoding="utf-8"))
    questions = {a["path"]: a["questions"] for a in manifest["articles"]}
    assert questions == {
        "guide/install.md": "full",
        "guide/upgrade.md": None,
        "reference/options.md": "short",
        "reference/cli.md": "full",
        "api/client.md": None,
        "changelog.md": None,
    }
