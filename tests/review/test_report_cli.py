"""``kb report``: formats, filters, exit codes, errors a person can act on."""

import csv
import io
import json

import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from tests.review_helpers import (
    add_journey,
    add_votes,
    baseline_votes,
    engine_for,
    manifest_articles,
)

WEAK = "request-a-refund-4c8e01"


@pytest.fixture
def voted(project, monkeypatch):
    """The sample help center, built, with ordinary votes and one clearly weak article."""
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    build_site(project / "mkdocs.yml")
    arts = manifest_articles(project)
    engine = engine_for(project)
    baseline_votes(engine, arts, skip=(WEAK,))
    add_votes(
        engine,
        WEAK,
        arts[WEAK]["revision"],
        [1, 2, 2, 5, 1, 2, 4, 1, 2, 2] * 4,
        ces=[2, 1, 3, 6] * 10,
        reason="outdated",
        comment="The menu is gone",
    )
    engine.dispose()
    return project


def run(runner, *args):
    return runner.invoke(main, ["report", *args], catch_exceptions=False)


def test_json_lists_every_article_with_scores_and_reasons(runner, voted):
    result = run(runner, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    arts = {a["id"]: a for a in doc["articles"]}
    assert len(arts) == 11
    weak = arts[WEAK]
    assert set(weak) >= {
        "id",
        "path",
        "title",
        "revision",
        "votes",
        "csat",
        "ces",
        "flagged",
        "reasons",
    }
    assert weak["flagged"] and weak["votes"] == 40 and weak["csat"] == pytest.approx(0.2)
    assert weak["reasons"][0].startswith("CSAT 20% over 40 votes, the site's is 75%")
    assert "40 of 40 readers said it is outdated" in weak["reasons"]
    for a in arts.values():
        assert a["csat"] is None or 0 <= a["csat"] <= 1
        assert a["ces"] is None or 1 <= a["ces"] <= 7
    assert doc["site"]["flagged"] == 1
    assert doc["categories"]["billing"]["votes"] == 24 * 2 + 40  # the peers' baselines
    assert set(doc["types"]) >= {"faq", "onboarding"}


def test_articles_without_votes_have_null_scores(runner, project, monkeypatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    build_site(project / "mkdocs.yml")
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0  # a database without votes
    doc = json.loads(run(runner, "--format", "json").output)
    assert all(
        a["votes"] == 0 and a["csat"] is None and a["ces"] is None and not a["flagged"]
        for a in doc["articles"]
    )


def test_flagged_only_and_fail_on_flagged(runner, voted):
    result = run(runner, "--format", "json", "--flagged-only", "--fail-on-flagged")
    assert result.exit_code == 1
    assert [a["id"] for a in json.loads(result.output)["articles"]] == [WEAK]


def test_fail_on_flagged_passes_when_nothing_is_flagged(runner, voted):
    assert run(runner, "--fail-on-flagged", "--since", "2999-01-01").exit_code == 0


def test_since_counts_only_later_votes(runner, voted):
    doc = json.loads(run(runner, "--format", "json", "--since", "2999-01-01").output)
    assert sum(a["votes"] for a in doc["articles"]) == 0


def test_table_is_readable(runner, voted):
    out = runner.invoke(main, ["report"], env={"COLUMNS": "200"}).output
    assert "Help center review" in out and "Can I get a refund?" in out and "⚑" in out
    assert "CSAT 20% over 40 votes" in out


def test_markdown_for_a_pull_request(runner, voted):
    out = run(runner, "--format", "markdown", "--flagged-only").output
    lines = out.splitlines()
    assert lines[0] == "## Help center review"
    assert any(line.startswith("| ⚑ | Can I get a refund?") for line in lines)
    assert "**1 of 11 articles flagged.**" in out


def test_csv_has_a_header_and_a_row_per_article(runner, voted):
    rows = list(csv.DictReader(io.StringIO(run(runner, "--format", "csv").output)))
    assert len(rows) == 11 and rows[0]["id"] == WEAK and rows[0]["flagged"] == "True"


def test_thresholds_come_from_mkdocs_yml(runner, voted):
    cfg = voted / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text().replace(
            "  - kb:\n",
            "  - kb:\n      review:\n        min_votes: 1000\n        outdated_min: 1000\n",
            1,
        )
    )
    doc = json.loads(run(runner, "--format", "json").output)
    assert doc["settings"]["min_votes"] == 1000 and doc["site"]["flagged"] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "yesterday"], "'yesterday' is not a date"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_options_are_usage_errors(runner, voted, args, message):
    result = runner.invoke(main, ["report", *args])
    assert result.exit_code == 2 and message in result.output


def test_unbuilt_site_is_a_clean_error(runner, project, monkeypatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    result = runner.invoke(main, ["report"])
    assert result.exit_code == 1
    assert "not built" in result.output and "Traceback" not in result.output


def test_db_option_picks_the_database(runner, voted, tmp_path):
    other = f"sqlite:///{tmp_path / 'empty.db'}"
    assert runner.invoke(main, ["db", "upgrade", "--db", other]).exit_code == 0
    doc = json.loads(run(runner, "--format", "json", "--db", other).output)
    assert sum(a["votes"] for a in doc["articles"]) == 0


def test_zero_result_searches_on_an_articles_topic_flag_it(runner, project, monkeypatch):
    from kb.store.searchlog import log_click, log_search, new_token

    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    build_site(project / "mkdocs.yml")
    engine = engine_for(project)
    for query, n in (("refund paypal", 4), ("refund bank transfer", 3), ("weather", 9)):
        for _ in range(n):
            log_search(engine, new_token(), query, "en", 0)
    token = new_token()
    log_search(engine, token, "money back", "en", 2)
    log_click(engine, token, WEAK, 1)
    engine.dispose()
    arts = {a["id"]: a for a in json.loads(run(runner, "--format", "json").output)["articles"]}
    weak = arts[WEAK]
    assert weak["flagged"] and weak["reason_codes"] == ["zero_results"]
    assert weak["reasons"][0].startswith(
        "7 searches on its topic found nothing: 'refund paypal' (4), 'refund bank transfer' (3)"
    )
    assert not any(a["flagged"] for aid, a in arts.items() if aid != WEAK)


CONTACTED = "reset-your-password-3a9c10"


@pytest.fixture
def journeyed(voted):
    """The voted help center with readers: 100 per article, 4 of them contacting support,
    and one article whose readers contact support far more (84 of 600)."""
    arts = manifest_articles(voted)
    engine = engine_for(voted)
    for aid, a in arts.items():
        if aid == CONTACTED:
            add_journey(engine, aid, a["revision"], 600, 84)
        else:
            add_journey(engine, aid, a["revision"], 100, 4)
    engine.dispose()
    return voted


def test_json_has_each_articles_journey_and_the_sites(runner, journeyed):
    doc = json.loads(run(runner, "--format", "json").output)
    arts = {a["id"]: a for a in doc["articles"]}
    busy = arts[CONTACTED]
    assert (busy["views"], busy["readers"], busy["contacts"]) == (600, 600, 84)
    assert busy["contact_rate"] == pytest.approx(0.14)
    assert busy["contact_rate_low"] < 0.14 < busy["contact_rate_high"]
    assert busy["vote_rate"] == pytest.approx(24 / 600)
    assert "14% of its 600 readers contacted support; the site's is 4%" in busy["reasons"]
    assert "contacts" in busy["reason_codes"] and busy["flagged"]
    assert "contacts" not in arts[WEAK]["reason_codes"]
    site = doc["site"]
    assert (site["views"], site["readers"], site["contacts"]) == (1600, 1600, 124)
    assert site["self_service_score"] == pytest.approx(1600 / 124, abs=0.01)
    assert site["self_service_low"] < site["self_service_score"] < site["self_service_high"]
    account = doc["categories"]["account"]  # the busy article's category
    assert account["contacts"] == 84 + 4 * sum(
        a["category"] == "account" and a["id"] != CONTACTED for a in arts.values()
    )
    assert sum(c["readers"] for c in doc["categories"].values()) == 1600


def test_table_and_markdown_show_readers_and_contacts(runner, journeyed):
    out = runner.invoke(main, ["report"], env={"COLUMNS": "220"}).output
    assert "Contacted" in out and "84/600" in out
    assert "1,600 readers (1,600 views), 124 contacts with support (8%): 13 readers per" in out
    md = run(runner, "--format", "markdown").output
    assert "| Readers | Contacted support (95% range) |" in md
    row = next(line for line in md.splitlines() if "reset-your-password" in line)
    assert "| 600 | 84/600 14% (11%–17%) |" in row
    rows = list(csv.DictReader(io.StringIO(run(runner, "--format", "csv").output)))
    assert {r["id"]: r["contacts"] for r in rows}[CONTACTED] == "84"


def test_without_readers_the_table_stays_as_it_was(runner, voted):
    md = run(runner, "--format", "markdown").output
    assert "Contacted" not in md and "readers per contact" not in md
    doc = json.loads(run(runner, "--format", "json").output)
    assert doc["site"]["readers"] == 0 and doc["site"]["self_service_score"] is None
    assert all(a["readers"] == 0 for a in doc["articles"])


def test_the_report_says_which_questions_each_page_asks(runner, project, monkeypatch):
    """A short-set page's 'yes' votes count as satisfied: its CSAT is its share of yes."""
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    yml = project / "mkdocs.yml"
    text = yml.read_text(encoding="utf-8")
    yml.write_text(
        text.replace("  - kb:\n", "  - kb:\n      short_questions: [troubleshooting/**]\n", 1),
        encoding="utf-8",
    )
    build_site(yml)
    arts = manifest_articles(project)
    short = "cant-sign-in-2d5f88"
    engine = engine_for(project)
    add_votes(engine, short, arts[short]["revision"], [4, 4, 4, 2])  # yes, yes, yes, no
    engine.dispose()
    doc = json.loads(run(runner, "--format", "json").output)
    by_id = {a["id"]: a for a in doc["articles"]}
    assert by_id[short]["questions"] == "short" and by_id[short]["csat"] == 0.75
    assert {a["questions"] for i, a in by_id.items() if i != short} >= {"full"}
    table = runner.invoke(main, ["report"], env={"COLUMNS": "200"}).output
    assert "short questions (helpful?)" in table
    rows = list(csv.DictReader(io.StringIO(run(runner, "--format", "csv").output)))
    assert {r["questions"] for r in rows if r["id"] == short} == {"short"}
