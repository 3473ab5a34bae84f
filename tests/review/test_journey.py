"""The journey's read side (kb.review.journey) on SQLite and PostgreSQL: views, readers,
votes and contacts written through the store's own write path, read back per article,
revision, language, category, day and week, and as the funnel."""

import datetime as dt

import pytest

from kb.core.journey import Contact, View
from kb.core.votes import Vote
from kb.review import journey as jr
from kb.review.deflection import Journey, by_lineage
from kb.store.engine import write_transaction
from kb.store.journey import record_contact, record_view
from kb.store.searchlog import log_click, log_search
from kb.store.votes import insert_new

UTC = dt.timezone.utc
D1 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
D2 = dt.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ARTICLES = [{"id": "a", "category": "billing"}, {"id": "b", "category": "account"}]
T1, T2 = "aa11bb22cc33dd44", "ee55ff66aa77bb88"

_ids = iter(range(10_000))


def view(conn, article, visitor, at, revision="r1", lang="en", search=None):
    arrival = "search" if search else "external"
    v = View(f"view-{next(_ids):05d}", article, revision, lang, arrival, search, visitor)
    assert record_view(conn, v, now=at)


@pytest.fixture
def journey_db(engine):
    """Two days of reading: 'a' read 5 times by 4 reader-days (one from a search, one of a
    rewritten text in Italian), 'b' once by a reader of 'a'; two contacts, two votes."""
    log_search(engine, T1, "refund card", "en", 3, now=D1)
    log_search(engine, T2, "invoice pdf", "en", 0, now=D1)
    log_click(engine, T1, "a", 1, now=D1)
    with write_transaction(engine) as conn:
        view(conn, "a", "v1", D1)
        view(conn, "a", "v1", D1)  # the same reader again that day
        view(conn, "a", "v2", D1, search=T1)
        view(conn, "b", "v1", D1)
        view(conn, "a", "v1", D2)  # a new day: a new reader
        view(conn, "a", "v3", D2, revision="r2", lang="it")
        record_contact(conn, Contact("contact-1", "a", "r1", "en", search=T1, visitor="v2"), D1)
        record_contact(conn, Contact("contact-2", "b", "r1", "en", visitor="v1"), D2)
        insert_new(
            conn,
            [
                Vote("a", 5, "s1", "r1", lang="en", visitor="v1", created_at=D1),
                Vote("a", 2, "s2", "r1", lang="en", visitor="v2", created_at=D1),
            ],
        )
    return engine


def test_per_article_revision_and_language(journey_db):
    a = jr.by_article(journey_db)["a"]
    assert (a.views, a.readers, a.contacts, a.votes, a.satisfied, a.from_search) == (
        5,
        4,
        1,
        2,
        1,
        1,
    )
    assert a.vote_rate == pytest.approx(2 / 5)
    assert a.contact_rate == pytest.approx(1 / 4)
    lo, hi = a.contact_interval
    assert 0 < lo < 0.25 < hi < 1
    revs = jr.by_revision(journey_db, article_id="a")["a"]
    assert (revs["r1"].views, revs["r1"].readers, revs["r1"].contacts, revs["r1"].votes) == (
        4,
        3,
        1,
        2,
    )
    assert (revs["r2"].views, revs["r2"].readers, revs["r2"].contacts) == (1, 1, 0)
    langs = jr.by_language(journey_db, article_id="a")["a"]
    assert (langs["en"].views, langs["it"].views, langs["en"].votes, langs["it"].votes) == (
        4,
        1,
        2,
        0,
    )


def test_site_counts_a_reader_of_two_articles_once(journey_db):
    site = jr.site_journey(journey_db)
    # v1 read 'a' and 'b' on the first day: one reader; the articles' readers add to 5.
    assert (site.views, site.readers, site.contacts, site.votes) == (6, 4, 2, 2)
    assert sum(j.readers for j in jr.by_article(journey_db).values()) == 5
    assert site.self_service_score == pytest.approx(2.0)
    quick = jr.site_journey(journey_db, votes=False)  # what the report reads
    assert (quick.views, quick.readers, quick.contacts, quick.votes) == (6, 4, 2, 0)
    low, high = site.self_service_interval
    assert low < 2.0 < high


def test_categories_days_and_weeks(journey_db):
    cats = jr.category_journeys(journey_db, ARTICLES)
    assert (cats["billing"].views, cats["billing"].contacts) == (5, 1)
    assert (cats["account"].views, cats["account"].readers, cats["account"].contacts) == (1, 1, 1)
    days = jr.journey_series(journey_db)
    assert [d for d, _ in days] == ["2026-03-02", "2026-03-03"]
    assert [(j.views, j.readers, j.contacts, j.votes) for _, j in days] == [
        (4, 2, 1, 2),
        (2, 2, 1, 0),
    ]
    weeks = jr.journey_series(journey_db, period="week")
    assert [(w, j.views, j.readers, j.contacts) for w, j in weeks] == [("2026-03-02", 6, 4, 2)]
    with pytest.raises(ValueError):
        jr.journey_series(journey_db, period="month")


def test_since_counts_whole_days(journey_db):
    since = dt.datetime(2026, 3, 3, tzinfo=UTC)
    a = jr.by_article(journey_db, since=since)["a"]
    assert (a.views, a.readers, a.contacts, a.votes) == (2, 2, 0, 0)
    site = jr.site_journey(journey_db, until=since)
    assert (site.views, site.readers, site.contacts) == (4, 2, 1)


def test_funnel_site_wide_and_per_article(journey_db):
    site = jr.funnel(journey_db)
    assert site.stages() == [
        ("searched", 2),
        ("opened", 1),
        ("read", 1),
        ("satisfied", 0),
        ("unsatisfied", 0),
        ("contacted", 1),
    ]
    assert (site.views, site.votes, site.satisfied, site.contacts) == (6, 2, 1, 2)
    a = jr.funnel(journey_db, article_id="a").to_dict()
    assert a["search"] == {
        "searched": None,
        "opened": 1,
        "read": 1,
        "satisfied": 0,
        "unsatisfied": 0,
        "contacted": 1,
    }
    assert a["readers"] == {"views": 5, "votes": 2, "satisfied": 1, "unsatisfied": 1, "contacts": 1}
    assert jr.funnel(journey_db, article_id="b").to_dict()["search"]["opened"] == 0


def test_an_empty_database_gives_empty_figures(engine):
    assert jr.by_article(engine) == {}
    assert jr.site_journey(engine).to_dict()["contact_rate"] is None
    assert jr.funnel(engine).stages()[0] == ("searched", 0)


def test_rates_and_lineages_are_pure():
    j = Journey(views=600, readers=600, contacts=84)
    assert j.contact_rate == pytest.approx(0.14)
    assert j.self_service_score == pytest.approx(600 / 84)
    none = Journey(views=10, readers=10)
    assert none.self_service_score is None and none.self_service_interval[1] is None
    assert Journey(readers=2, contacts=5).contact_rate == 1.0  # never above every reader
    per_rev = {"old": Journey(readers=100, contacts=20), "new": Journey(readers=50, contacts=1)}
    per_rev[""] = Journey(readers=5)
    cur, before = by_lineage(per_rev, {"old": 0, "new": 1}, 1)
    assert (cur.readers, cur.contacts, before.readers, before.contacts) == (55, 1, 100, 20)
    assert by_lineage({"x": Journey(readers=3)}, {"x": 0}, 0)[1] is None


def test_a_rewrite_compares_the_contact_rate_of_both_texts():
    from kb.cli.report import _before_after
    from kb.review.flags import review
    from kb.review.scoring import Tally

    history = {
        "articles": {"w": {"revisions": [{"revision": "r1"}, {"revision": "r2", "rewrite": True}]}}
    }
    manifest = [{"id": "w", "revision": "r2"}] + [
        {"id": f"o{i}", "revision": "x"} for i in range(9)
    ]
    votes = {"w": {"r1": Tally(votes=30, satisfied=12), "r2": Tally(votes=20, satisfied=17)}}
    journeys = {
        "w": {
            "r1": Journey(views=700, readers=600, contacts=84),
            "r2": Journey(views=260, readers=220, contacts=7),
        }
    }
    journeys |= {f"o{i}": {"x": Journey(views=120, readers=100, contacts=4)} for i in range(9)}
    r = next(a for a in review(manifest, votes, history, journeys=journeys).articles if a.id == "w")
    assert (r.journey.readers, r.journey.contacts, r.journey.votes) == (220, 7, 20)
    assert (r.journey_before.readers, r.journey_before.contacts, r.journey_before.votes) == (
        600,
        84,
        30,
    )
    assert "contacts" not in [
        x.code for x in r.reasons
    ]  # the old text's contacts are not held against the new
    d = r.to_dict()
    assert d["readers"] == 220 and d["before_journey"]["contact_rate"] == pytest.approx(0.14)
    assert {x["revision"]: x["contacts"] for x in d["revisions"]} == {"r1": 84, "r2": 7}
    assert "contacted support 14% (600 readers) → 3% (220)" in _before_after(r)
    old = review([{"id": "w", "revision": "r1"}, *manifest[1:]], votes, None, journeys=journeys)
    assert "14% of its 600 readers contacted support; the site's is 4%" in [
        x.text for x in old.articles[0].reasons
    ]
