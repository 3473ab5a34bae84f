"""``kb search`` and ``kb search reindex``; the index kb build writes; related articles."""

from __future__ import annotations

import json
import logging

from kb.builder import build_site
from kb.cli import main

from .conftest import write_article


def test_cli_json_is_the_api_json(built_site, project, runner, tmp_path):
    from feedback_api import create_app

    result = runner.invoke(main, ["search", "refund", "--lang", "en", "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    app = create_app({"TESTING": True, "PROJECT_DIR": project, "SITE_DIR": built_site,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "AUTO_UPGRADE": True, "RATE_LIMIT": "off"})
    api = app.test_client().get("/api/v1/search?q=refund&lang=en&limit=3").get_json()
    assert json.loads(result.output) == api


def test_cli_text_output_and_suggestion(built_site, runner):
    result = runner.invoke(main, ["search", "pasword", "reset"])
    assert result.exit_code == 0
    assert result.output.startswith("Did you mean: password reset\n")
    assert " 1. How do I reset my password?" in result.output


def test_cli_without_a_built_site_is_a_clean_error(project, runner):
    result = runner.invoke(main, ["search", "refund"])
    assert result.exit_code == 1
    assert "Error: no search index" in result.output and "kb build" in result.output


def test_build_indexes_incrementally(built_site, project, caplog, runner):
    write_article(project, "billing/refund-timing.md", """
        ---
        title: When does my refund arrive?
        ---
        Refunds reach your card within ten working days.
        """)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.kb.search"):
        build_site(project / "mkdocs.yml")
    assert "Search index: 1 added, 0 updated, 0 removed, 11 unchanged" in caplog.text
    result = runner.invoke(main, ["search", "ten working days", "--json"])
    assert json.loads(result.output)["results"][0]["path"] == "billing/refund-timing.md"


def test_reindex_updates_only_what_changed(built_site, project, runner):
    path = project / "articles" / "billing" / "request-a-refund.md"
    path.write_text(path.read_text().replace("14 days", "30 days"), encoding="utf-8")
    result = runner.invoke(main, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 0 removed, 10 unchanged" in result.output
    found = runner.invoke(main, ["search", "30 days", "--json"])
    assert json.loads(found.output)["results"][0]["path"] == "billing/request-a-refund.md"


def test_article_pages_list_related_articles(built_site):
    html = (built_site / "billing" / "request-a-refund" / "index.html").read_text()
    assert "data-kb-related" in html and "Related articles" in html
    related = html.split("data-kb-related", 1)[1].split("</nav>", 1)[0]
    assert related.count("<li>") >= 1 and "request-a-refund/" not in related
    home = (built_site / "index.html").read_text()
    assert "data-kb-related" not in home


def test_search_can_be_turned_off(project):
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - kb:\n", "  - kb:\n      search: false\n", 1))
    build_site(yml)
    assert not (project / "site" / "_kb" / "search").exists()
    html = (project / "site" / "billing" / "request-a-refund" / "index.html").read_text()
    assert "data-kb-related" not in html


def test_section_anchors_exist_in_the_built_pages(built_site, runner):
    """The section a result points at is a real heading id of the rendered page."""
    seen = 0
    for query in ("single sign-on company IT", "email doesn't arrive spam", "caps lock"):
        answer = json.loads(runner.invoke(main, ["search", query, "--json"]).output)
        for r in answer["results"]:
            if r["section"]:
                html = (built_site / r["url"] / "index.html").read_text()
                assert f'id="{r["section"]["anchor"]}"' in html, (query, r)
                seen += 1
    assert seen >= 3
