"""Property tests on the scoring and the flags: any votes, any settings, no crash, and the
numbers stay what they claim to be (rates in 0..1, intervals around their estimate, sums that
add up, at most one vote per reader per article and day)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.core.project import ReviewSettings
from kb.core.vocabulary import REASONS
from kb.core.votes import Vote
from kb.review.flags import review
from kb.review.scoring import Tally, dedupe, nps, utc_day

FAST = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
UTC = dt.timezone.utc

moments = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2030, 1, 1),
        timezones=st.sampled_from(
            [UTC, dt.timezone(dt.timedelta(hours=-11)), dt.timezone(dt.timedelta(hours=14))]
        ),
    ),
)
votes = st.builds(
    Vote,
    article=st.sampled_from(["a", "b", "c"]),
    revision=st.sampled_from(["r1", "r2"]),
    csat=st.integers(1, 5),
    ces=st.none() | st.integers(1, 7),
    comment=st.none() | st.text(max_size=20),
    reason=st.none() | st.sampled_from(REASONS),
    visitor=st.sampled_from(["", "v1", "v2", "v3"]),
    created_at=moments,
    id=st.integers(0, 10_000),
)


@FAST
@given(st.lists(votes, max_size=40))
def test_dedupe_keeps_one_vote_per_reader_article_and_day(vs):
    kept = dedupe(vs)
    assert all(v in vs for v in kept) and dedupe(kept) == kept  # a subset, and idempotent
    keys = [(v.article, v.visitor, utc_day(v.created_at)) for v in kept if v.visitor]
    assert len(keys) == len(set(keys))
    anonymous = [v for v in vs if not v.visitor]
    assert len(kept) == len(anonymous) + len(
        {(v.article, v.visitor, utc_day(v.created_at)) for v in vs if v.visitor}
    )


def _fields(t: Tally) -> tuple:
    return (
        t.votes,
        t.satisfied,
        t.csat_sum,
        t.ces_votes,
        t.ces_sum,
        t.ces_sq,
        t.hard,
        t.comments,
        dict(sorted(t.reasons.items())),
        t.first,
        t.last,
    )


@FAST
@given(st.lists(votes, max_size=30), st.lists(votes, max_size=30))
def test_tallies_add_up_and_rates_stay_in_range(left, right):
    whole = Tally.of(left + right)
    assert _fields(whole) == _fields(Tally.of(left) + Tally.of(right))
    for t in (whole, Tally.of(left)):
        if not t.votes:
            assert t.csat is None and t.csat_interval is None
            continue
        assert 0 <= t.csat <= 1
        low, high = t.csat_interval
        assert 0 <= low <= t.csat <= high <= 1
        if t.ces_votes:
            assert 1 <= t.ces <= 7 and 0 <= t.hard_share <= 1
            c_low, c_high = t.ces_interval
            assert 1 <= c_low <= t.ces + 1e-9 and t.ces - 1e-9 <= c_high <= 7
        assert t.to_dict()["votes"] == t.votes


@FAST
@given(st.lists(st.integers(0, 10), max_size=60))
def test_nps_stays_between_minus_and_plus_100(scores):
    result = nps(scores)
    if not scores:
        assert result.score is None
        return
    assert -100 <= result.score <= 100
    if result.interval:
        assert -100 <= result.interval[0] <= result.interval[1] <= 100


review_settings = st.builds(
    ReviewSettings,
    min_votes=st.integers(0, 50),
    peers=st.sampled_from(["site", "category", "type"]),
    csat_margin=st.floats(0, 1),
    ces_margin=st.floats(0, 1),
    confidence=st.floats(0.5, 0.999),
    min_ces_votes=st.integers(0, 50),
    outdated_min=st.integers(0, 10),
    outdated_share=st.floats(0, 1),
    review_by=st.booleans(),
    nps=st.booleans(),
    either=st.booleans(),
    method=st.sampled_from(["mixture", "beta"]),
    weak_confidence=st.floats(0.05, 0.999),
)


@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(votes, max_size=80),
    review_settings,
    st.lists(st.tuples(st.text(max_size=15), st.integers(0, 50)), max_size=5),
)
def test_review_of_any_votes_and_settings_never_crashes(vs, config, zero_results):
    arts = [
        {
            "id": aid,
            "path": f"cat/{aid}.md",
            "title": f"How to {aid}",
            "revision": "r2",
            "category": "cat" if aid != "c" else "",
            "type": "faq",
            "owner": None,
            "review_by": "2020-01-01" if aid == "a" else None,
            "tags": [],
            "summary": "",
        }
        for aid in ("a", "b", "c")
    ]
    per: dict[str, dict[str, Tally]] = {}
    for v in dedupe(vs):
        per.setdefault(v.article, {}).setdefault(v.revision, Tally()).add(v)
    gone = Vote(article="gone", revision="r0", csat=1)  # a vote for a deleted article
    per["gone"] = {"r0": Tally.of([gone])}
    result = review(
        arts, per, settings=config, today=dt.date(2026, 1, 1), zero_results=zero_results
    )
    ids = {r.id for r in result.articles}
    assert ids == {"a", "b", "c"} and "gone" in result.orphans
    for r in result.flagged:
        assert r.id in ids and r.reasons and all(x.text for x in r.reasons)
    for r in result.articles:
        r.to_dict()  # serialisable for the report and the dashboard
