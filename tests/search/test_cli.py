"""``kb search`` and ``kb search reindex``; the index kb build writes; related articles."""

from __future__ import annotations

import json
import logging

from click.testing import CliRunner
from kb.search.index import current_dir, open_published
from kb.search.settings import index_dir

from kb.cli import main
from kb.plugin.builder import build_site, load_project_config
from tests.helpers import write_article
from tests.search.test_semantic import make_model


def test_cli_json_is_the_api_json(built_site, project, runner, tmp_path):
    from kb.feedback_api import create_app

    result = runner.invoke(main, ["search", "refund", "--lang", "en", "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": project,
            "SITE_DIR": built_site,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
        }
    )
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
    write_article(
        project,
        "billing/refund-timing.md",
        """
        ---
        title: When does my refund arrive?
        ---
        Refunds reach your card within ten working days.
        """,
    )
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


# -- one search step: kb search reindex is the build's ------------------------------------


def published_docs(site) -> dict[str, str]:
    """id -> url of every article in the published index."""
    ix = open_published(site)
    with ix.searcher() as s:
        return {f["id"]: f["url"] for f in s.all_stored_fields()}


def exclude(project, pattern: str) -> None:
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text() + f"exclude_docs: |\n  {pattern}\n", encoding="utf-8")


def test_reindex_leaves_out_the_drafts_the_build_leaves_out(project, runner):
    write_article(
        project,
        "billing/draft-pricing.md",
        """
        ---
        title: Next year's pricing
        ---
        The zanzibar plan is not announced yet.
        """,
    )
    exclude(project, "billing/draft-*.md")
    build_site(project / "mkdocs.yml")
    assert json.loads(runner.invoke(main, ["search", "zanzibar", "--json"]).output)["total"] == 0
    result = runner.invoke(main, ["search", "reindex", "--full"])
    assert result.exit_code == 0, result.output
    assert "11 added" in result.output
    assert json.loads(runner.invoke(main, ["search", "zanzibar", "--json"]).output)["total"] == 0


def test_reindex_gives_the_urls_the_build_gives(project, runner):
    """MkDocs' URLs, not a rule of its own: a space in a file name is %20 in the URL."""
    write_article(
        project,
        "billing/money back.md",
        """
        ---
        title: Money back
        ---
        The quokka rule for refunds.
        """,
    )
    yml = project / "mkdocs.yml"
    build_site(yml)
    built = published_docs(project / "site")
    assert "billing/money%20back/" in built.values()
    result = runner.invoke(main, ["search", "reindex", "--full"])
    assert result.exit_code == 0, result.output
    assert published_docs(project / "site") == built
    yml.write_text(yml.read_text() + "use_directory_urls: false\n", encoding="utf-8")
    assert runner.invoke(main, ["search", "reindex"]).exit_code == 0
    reindexed = published_docs(project / "site")
    build_site(yml)
    assert published_docs(project / "site") == reindexed
    assert "billing/money%20back.html" in reindexed.values()


def test_reindex_writes_the_index_where_the_build_keeps_it(project, runner, tmp_path):
    """Run from another folder (-f): the working index is the project's, not the current
    folder's, and the next build finds nothing to do."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = CliRunner().invoke(
        main, ["search", "reindex", "-f", str(project / "mkdocs.yml")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert (project / ".kb" / "search-index" / "state.json").is_file()
    assert index_dir(load_project_config(project / "mkdocs.yml")) == (
        project / ".kb" / "search-index"
    )
    build = build_site(project / "mkdocs.yml")
    assert build.site_dir == (project / "site").resolve()
    again = runner.invoke(main, ["search", "reindex"])
    assert "0 added, 0 updated, 0 removed, 11 unchanged" in again.output


def set_model(project, model) -> None:
    yml = project / "mkdocs.yml"
    text = "\n".join(ln for ln in yml.read_text().split("\n") if "search_model:" not in ln)
    line = f"      search_model: {model}\n" if model else ""
    yml.write_text(text.replace("  - kb:\n", "  - kb:\n" + line, 1), encoding="utf-8")


def published_vectors(site) -> dict[str, str] | None:
    meta = current_dir(site) / "vectors.json"
    if not meta.is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    return dict(zip(data["ids"], data["fps"], strict=True))


def indexed_fingerprints(site) -> dict[str, str]:
    with open_published(site).searcher() as s:
        return {f["id"]: f["fp"] for f in s.all_stored_fields()}


def test_reindex_with_a_model_leaves_no_stale_vectors(project, runner, tmp_path):
    set_model(project, make_model(tmp_path / "tiny-bert"))
    build_site(project / "mkdocs.yml")
    site = project / "site"
    assert published_vectors(site) == indexed_fingerprints(site)
    path = project / "articles" / "billing" / "request-a-refund.md"
    path.write_text(path.read_text().replace("14 days", "30 days"), encoding="utf-8")
    result = runner.invoke(main, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    assert published_vectors(site) == indexed_fingerprints(site)  # the changed one re-embedded
    set_model(project, None)
    assert runner.invoke(main, ["search", "reindex"]).exit_code == 0
    assert published_vectors(site) is None  # no model: no vectors, as kb build


def test_reindex_stops_on_what_stops_the_build(project, runner):
    (project / "synonyms" / "en.txt").write_text("lonely\n", encoding="utf-8")  # the default
    result = runner.invoke(main, ["search", "reindex"])
    assert result.exit_code == 1
    assert "at least two entries" in result.output


# -- the help -------------------------------------------------------------------------------


def test_search_help_shows_how_to_search_and_the_subcommands(runner):
    result = runner.invoke(main, ["search", "--help"])
    assert result.exit_code == 0
    text = result.output
    assert "search [OPTIONS] QUERY..." in text.splitlines()[0]
    for option in ("--lang", "--limit", "--json", "--site-dir", "--config-file"):
        assert option in text, option
    assert "reindex" in text.split("Commands:", 1)[1]
    assert runner.invoke(main, ["search", "-h"]).output == text
    assert "--full" in runner.invoke(main, ["search", "reindex", "--help"]).output


def test_todays_command_lines_still_work(built_site, runner):
    for args in (
        ["search", "refund"],
        ["search", "--lang", "en", "refund"],
        ["search", "refund", "--limit", "2"],
        ["search", "query", "refund"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        assert "billing/request-a-refund.md" in result.output, args
