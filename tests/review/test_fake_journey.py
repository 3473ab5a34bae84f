"""``kb dev fake-votes`` writes the readers' journey with the votes, and ``kb feedback import``
stores it: the demo's report, funnel and charts have views, searches and contacts on day one."""

import json

import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from kb.review import journey as jr
from tests.review_helpers import engine_for

WEAK = "billing/request-a-refund.md"


def kb(runner, *args):
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def demo(project, monkeypatch, runner):
    for var in ("KB_DATABASE_URL", "KB_SITE_DIR"):
        monkeypatch.delenv(var, raising=False)
    build_site(project / "mkdocs.yml")
    out = kb(runner, "dev", "fake-votes", "--votes", "600", "--weak", WEAK, "--out", "v.jsonl")
    assert " votes and " in out and "rows of the readers' journey written" in out
    imported = kb(runner, "feedback", "import", "v.jsonl")
    assert "Reader's journey imported: contacts" in imported
    return project


def test_the_demo_has_a_journey_around_its_votes(demo, runner):
    doc = json.loads(kb(runner, "report", "--format", "json"))
    site, arts = doc["site"], {a["path"]: a for a in doc["articles"]}
    assert site["views"] > site["readers"] > site["votes"] > site["contacts"] > 0
    assert 0.04 <= site["votes"] / site["views"] <= 0.15  # few readers answer a widget
    assert 15 <= site["self_service_score"] <= 50
    for a in arts.values():
        assert a["votes"] == 0 or a["readers"] >= a["votes"]
    weak = arts[WEAK]
    others = [a["contact_rate"] for p, a in arts.items() if p != WEAK and a["readers"]]
    assert weak["contact_rate"] > max(others)
    assert "contacts" in weak["reason_codes"], weak["reasons"]
    engine = engine_for(demo)
    funnel = jr.funnel(engine).to_dict()["search"]
    assert funnel["searched"] > funnel["opened"] >= funnel["read"] > 0
    assert funnel["satisfied"] > 0 and funnel["unsatisfied"] > 0 and funnel["contacted"] > 0
    assert len(jr.journey_series(engine)) >= 25  # a chart of 30 days
    engine.dispose()


def test_importing_the_demo_again_adds_nothing(demo, runner):
    again = kb(runner, "feedback", "import", "v.jsonl")
    assert "0 votes imported" in again and "Reader's journey imported: nothing new" in again


def test_no_journey_writes_votes_alone(project, monkeypatch, runner, tmp_path):
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    build_site(project / "mkdocs.yml")
    kb(runner, "dev", "fake-votes", "--votes", "50", "--no-journey", "--out", "v.jsonl")
    rows = [json.loads(line) for line in (project / "v.jsonl").read_text().splitlines()]
    assert rows and not any("kind" in r for r in rows)


def test_bad_journey_rows_name_their_line(project, monkeypatch, runner):
    for var in ("KB_DATABASE_URL", "KB_SITE_DIR"):
        monkeypatch.delenv(var, raising=False)
    build_site(project / "mkdocs.yml")
    rows = [
        {"kind": "views", "article": WEAK, "day": "2026-03-02", "views": 3},
        {"kind": "views", "article": WEAK, "day": "March 2nd", "views": 3},
        {"kind": "views", "article": WEAK, "day": "2026-03-02", "arrival": "email"},
        {"kind": "reader", "article": "no/such-article.md", "day": "2026-03-02", "visitor": "x"},
        {"kind": "contact", "article": WEAK, "created_at": "2026-03-02T10:00Z", "csat": 9},
        {"kind": "search", "query": "refund", "created_at": "2026-03-02", "outcome": "maybe"},
        {"kind": "visit", "article": WEAK},
        {"kind": "views", "article": WEAK, "day": "2026-03-02", "views": 2},  # not a sum
    ]
    (project / "j.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(main, ["feedback", "import", "j.jsonl"])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors == [
        "j.jsonl:2: day: day 'March 2nd' is not a date (YYYY-MM-DD)",
        "j.jsonl:3: arrival: arrival must be one of search, article, external",
        "j.jsonl:4: article: no article 'no/such-article.md' (by id or path) in the site",
        "j.jsonl:5: csat: csat must be a whole number from 1 to 5",
        "j.jsonl:6: outcome: outcome must be one of satisfied, unsatisfied, contact",
        "j.jsonl:7: kind: kind must be one of vote, views, reader, contact, search",
    ]
    engine = engine_for(project)
    assert jr.site_journey(engine).views == 3  # the larger count of the two rows for that day
    engine.dispose()
