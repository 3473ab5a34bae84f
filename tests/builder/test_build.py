"""Building a help center: structure, manifest, failures that keep the previous site."""

import json

import pytest

from kb.core.errors import KbError
from kb.plugin.builder import build_site
from tests.helpers import write_article


def test_sample_site_has_home_categories_and_articles(built_site):
    home = (built_site / "index.html").read_text()
    assert "data-kb-categories" in home and "Account and sign-in" in home
    billing = (built_site / "billing" / "index.html").read_text()
    assert "data-kb-faq" in billing and "Can I get a refund?" in billing
    step = (built_site / "getting-started" / "set-up-your-workspace" / "index.html").read_text()
    assert "Step 2 of 3" in step and 'rel="next"' in step and 'rel="prev"' in step


def test_article_sidebar_lists_only_its_category(built_site):
    html = (built_site / "billing" / "request-a-refund" / "index.html").read_text()
    assert "Where can I download my invoices?" in html
    assert "Invite your team" not in html  # another category


def test_manifest_lists_every_article(built_site):
    manifest = json.loads((built_site / "_kb" / "manifest.json").read_text())
    by_id = {a["id"]: a for a in manifest["articles"]}
    assert len(by_id) == 11
    refund = by_id["request-a-refund-4c8e01"]
    assert refund["path"] == "billing/request-a-refund.md"
    assert refund["url"] == "billing/request-a-refund/"
    assert len(refund["revision"]) == 12 and refund["type"] == "faq"


def test_alerts_become_admonitions(project):
    write_article(
        project,
        "billing/note.md",
        """
        ---
        title: Note test
        ---
        > [!WARNING]
        > Careful now.
        """,
    )
    build_site(project / "mkdocs.yml")
    html = (project / "site" / "billing" / "note" / "index.html").read_text()
    assert 'class="admonition warning"' in html and "Careful now." in html


def test_material_key_clash_does_not_crash(project):
    write_article(project, "billing/hidden.md", "---\ntitle: Hidden\nhide: true\n---\nText\n")
    build_site(project / "mkdocs.yml")
    assert (project / "site" / "billing" / "hidden" / "index.html").exists()


def test_failed_build_keeps_previous_site(built_site, project):
    before = (built_site / "index.html").read_text()
    write_article(project, "billing/broken.md", "---\ntitle: [oops\n---\nBody\n")
    with pytest.raises(KbError) as exc:
        build_site(project / "mkdocs.yml")
    assert "articles/billing/broken.md:2: error: malformed YAML" in str(exc.value)
    assert (built_site / "index.html").read_text() == before
    assert not list(project.glob(".site.tmp-*"))


def test_guide_step_shows_the_next_step_before_asking_for_feedback(built_site):
    html = (built_site / "getting-started" / "set-up-your-workspace" / "index.html").read_text()
    assert html.count("<h1") == 1
    assert html.index('rel="next"') < html.index("data-kb-feedback") < html.index("kb-related")
