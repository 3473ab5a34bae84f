"""Scores: the standard definitions, deduplication of repeated voters, honest intervals."""

import datetime as dt

import pytest

from kb.core.votes import Vote
from kb.review.scoring import Tally, baselines, by_revision, dedupe, nps
from kb.review.stats import beta_cdf, beta_quantile, fit_beta_prior, wilson_interval

UTC = dt.timezone.utc


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def vote(csat, ces=None, *, article="a", revision="r1", visitor="", when=None, vid=0, **kw):
    return Vote(
        article=article,
        revision=revision,
        csat=csat,
        ces=ces,
        visitor=visitor,
        created_at=when or at(1),
        id=vid,
        **kw,
    )


def test_csat_is_share_of_4_and_5_and_ces_is_the_mean():
    t = Tally.of([vote(5, 7), vote(4, 2), vote(3, None), vote(1, 3)])
    assert t.votes == 4 and t.csat == pytest.approx(0.5)
    assert t.ces == pytest.approx(4.0) and t.ces_votes == 3
    assert t.hard_share == pytest.approx(2 / 3)  # CES 1-3 count as hard


def test_no_votes_means_no_rates_not_zero():
    d = Tally().to_dict()
    assert d["votes"] == 0 and d["csat"] is None and d["ces"] is None and d["hard_share"] is None


def test_comments_and_reasons_are_counted():
    t = Tally.of(
        [
            vote(1, comment="Wrong menu", reason="outdated"),
            vote(2, comment="  "),
            vote(2, reason="outdated"),
            vote(5),
        ]
    )
    assert t.comments == 1 and t.reasons == {"outdated": 2}


@pytest.mark.parametrize(
    "votes, kept",
    [
        # same visitor, same article, same day: the latest answer wins
        (
            [
                vote(1, visitor="v", when=at(1, 9), vid=1),
                vote(5, visitor="v", when=at(1, 10), vid=2),
            ],
            [2],
        ),
        # a later row id wins a tie on time
        (
            [
                vote(5, visitor="v", when=at(1, 9), vid=2),
                vote(1, visitor="v", when=at(1, 9), vid=1),
            ],
            [2],
        ),
        # another day counts again (the hash rotates daily anyway)
        (
            [vote(1, visitor="v", when=at(1), vid=1), vote(5, visitor="v", when=at(2), vid=2)],
            [1, 2],
        ),
        # another article counts
        ([vote(1, visitor="v", vid=1), vote(5, visitor="v", article="b", vid=2)], [1, 2]),
        # without a visitor hash nothing can be merged
        ([vote(1, vid=1), vote(5, vid=2)], [1, 2]),
    ],
)
def test_one_vote_per_visitor_per_article_per_day(votes, kept):
    assert [v.id for v in dedupe(votes)] == kept


def test_day_is_the_utc_day():
    rome = dt.timezone(dt.timedelta(hours=2))
    late = dt.datetime(2025, 3, 2, 1, 30, tzinfo=rome)  # still March 1st in UTC
    votes = [vote(1, visitor="v", when=at(1, 20), vid=1), vote(5, visitor="v", when=late, vid=2)]
    assert [v.id for v in dedupe(votes)] == [2]


def test_by_revision_splits_and_dedupes():
    votes = [
        vote(5, revision="r1", visitor="x", vid=1),
        vote(1, revision="r2", visitor="x", when=at(1, 13), vid=2),
        vote(4, revision="r1", visitor="y", vid=3),
    ]
    per = by_revision(votes)
    assert per["a"]["r1"].votes == 1 and per["a"]["r2"].votes == 1  # x's later answer wins


def test_tallies_add_up():
    a, b = Tally.of([vote(5, 6, reason="outdated")]), Tally.of([vote(1, 2, reason="outdated")])
    s = a + b
    assert (s.votes, s.satisfied, s.ces_sum, s.hard, s.reasons) == (2, 1, 8, 1, {"outdated": 2})


def test_baselines_by_site_category_and_type():
    tallies = {"a": Tally.of([vote(5)] * 3), "b": Tally.of([vote(1)]), "gone": Tally.of([vote(1)])}
    arts = {
        "a": {"category": "billing", "type": "faq"},
        "b": {"category": "account", "type": "faq"},
    }
    base = baselines(tallies, arts)
    assert base.site.votes == 5  # votes of removed articles still count for the site
    assert base.by_category["billing"].csat == 1.0 and base.by_type["faq"].csat == 0.75
    assert base.for_article(arts["b"], "category").csat == 0.0


def test_wilson_interval_is_honest_for_small_samples():
    lo, hi = wilson_interval(3, 3)
    assert hi == 1.0 and lo == pytest.approx(0.4385, abs=1e-3)  # not "100% for sure"
    lo, hi = wilson_interval(74, 100)
    assert lo < 0.74 < hi and hi - lo < 0.18
    assert wilson_interval(0, 0) is None


def test_intervals_in_json_bracket_the_estimate():
    t = Tally.of([vote(c, e) for c, e in [(5, 7), (4, 6), (2, 2), (5, 5), (1, 1)]])
    d = t.to_dict()
    assert d["csat_low"] <= d["csat"] <= d["csat_high"]
    assert 1 <= d["ces_low"] <= d["ces"] <= d["ces_high"] <= 7


@pytest.mark.parametrize(
    "x, a, b, expected",
    [
        (0.5, 1, 1, 0.5),
        (0.3, 2, 5, 0.579825),
        (0.9, 30, 3, 0.366684),
        (0.1, 0.5, 0.5, 0.204833),
    ],
)
def test_beta_cdf_matches_reference_values(x, a, b, expected):
    # integer a, b: I_x(a, b) = P(Binomial(a+b-1, x) >= a); Beta(.5,.5): 2/pi asin(sqrt x)
    assert beta_cdf(x, a, b) == pytest.approx(expected, abs=1e-5)
    assert beta_quantile(beta_cdf(x, a, b), a, b) == pytest.approx(x, abs=1e-6)


def test_empirical_bayes_prior_recovers_the_spread_of_true_rates():
    import random

    rng = random.Random(4)
    pairs = []
    for _ in range(3000):
        p = rng.betavariate(16, 4)  # mean 0.8, strength 20
        n = rng.randint(5, 80)
        pairs.append((sum(rng.random() < p for _ in range(n)), n))
    alpha, beta = fit_beta_prior(pairs)
    assert alpha / (alpha + beta) == pytest.approx(0.8, abs=0.01)
    assert 15 < alpha + beta < 26


def test_prior_is_weak_without_data():
    assert fit_beta_prior([]) == (1.0, 1.0)
    alpha, beta = fit_beta_prior([(1, 2)])
    assert alpha + beta == pytest.approx(2.0)


def test_nps_promoters_minus_detractors():
    n = nps([10, 9, 8, 7, 6, 0, 10, 10])
    assert (n.promoters, n.passives, n.detractors) == (4, 2, 2)
    assert n.score == pytest.approx(25.0)
    lo, hi = n.interval
    assert -100 <= lo < 25 < hi <= 100
    assert nps([]).score is None
