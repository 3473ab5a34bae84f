"""Which articles to rewrite, and why: pure judgement over scores, no database, no web.

**The statistical flags.** By default (``method: mixture``) the site's articles are seen
as two groups, typical and weak, each with its own Beta distribution of the true CSAT and of
the true hard share (CES 1-3), fitted to the site's own votes by EM
(:func:`kb.review.stats.fit_two_groups`); an article with at least ``min_votes`` votes on its
current text is flagged when the probability that it is a weak one reaches
``weak_confidence``. With ``method: beta`` one empirical-Bayes Beta prior per score is used
instead (:func:`kb.review.stats.fit_beta_prior`), and the article is flagged when the
posterior probability that its true CSAT is at least ``csat_margin`` below its peers' is
``confidence`` or more. Either way the same single-prior test runs on the share of readers
who found it hard to solve their problem, against the peers' share plus ``ces_margin``.
Three low votes cannot flag an article; forty mediocre ones can.

"Peers" are the whole site by default (or the article's category or type), leaving the
article's own votes out of its peers' rate.

**The other reasons.** ``review_by`` date passed; many readers choosing "outdated"; and
searches that found nothing but look like the article's topic (the article may be missing
what those readers wanted, or be hard to find).

**Per revision.** Only votes on the article's current lineage count (see
:mod:`kb.revisions`: a typo fix keeps the evidence, a rewrite starts afresh); the votes of
the previous lineage are kept as "before" so a rewrite's effect shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.core.project import ReviewSettings
from kb.core.revisions import lineages
from kb.review.deflection import Journey, by_lineage, journey_fields
from kb.review.scoring import Baselines, Tally, baselines, pct
from kb.review.stats import Evidence, TwoGroups, beta_cdf, fit_beta_prior, fit_two_groups
from kb.review.topics import match_zero_results


@dataclass(frozen=True)
class Reason:
    code: str  # csat | ces | contacts | review_by | outdated | zero_results
    text: str


@dataclass
class RevisionScore:
    revision: str
    lineage: int  # -1: a text not in the history (older than it)
    tally: Tally
    seen: str | None = None
    similarity: float | None = None
    rewrite: bool = False
    current: bool = False


@dataclass
class ArticleReview:
    article: dict[str, Any]
    current: Tally  # votes on the current lineage (the text as it is now, give or take typos)
    before: Tally | None  # votes on the previous lineage, when the article was rewritten
    revisions: list[RevisionScore]
    all_votes: Tally
    flagged: bool = False
    reasons: list[Reason] = field(default_factory=list)
    p_csat_worse: float | None = None
    p_hard_worse: float | None = None
    p_weak: float | None = None  # the two-group model's probability that it is a weak one
    readers: int = 0  # unique readers and contacts with support, when the journey is known
    contacts: int = 0
    p_contacts_worse: float | None = None
    peer_csat: float | None = None
    peer_hard: float | None = None
    zero_results: list[tuple[str, int]] = field(default_factory=list)
    lineage_started: str | None = None
    journey: Journey | None = None  # views, readers, contacts of the current lineage
    journey_before: Journey | None = None  # ... of the previous lineage, after a rewrite
    revision_journeys: dict[str, Journey] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.article["id"])

    def to_dict(self) -> dict[str, Any]:
        a, cur = self.article, self.current.to_dict()
        return {
            "id": a["id"],
            "path": a.get("path"),
            "title": a.get("title"),
            "revision": a.get("revision"),
            "category": a.get("category"),
            "type": a.get("type"),
            # the widget's question set (full, short; None: no widget), kb/core/placement.py
            "questions": a.get("questions", "full"),
            "owner": a.get("owner"),
            "review_by": a.get("review_by"),
            "url": a.get("url"),
            **cur,
            "flagged": self.flagged,
            "reasons": [r.text for r in self.reasons],
            "reason_codes": [r.code for r in self.reasons],
            "p_csat_worse": _r(self.p_csat_worse),
            "p_hard_worse": _r(self.p_hard_worse),
            "p_weak": _r(self.p_weak),
            "p_contacts_worse": _r(self.p_contacts_worse),
            "peer_csat": _r(self.peer_csat),
            "peer_hard_share": _r(self.peer_hard),
            "lineage_started": self.lineage_started,
            **journey_fields(self.journey),
            "before": self.before.to_dict() if self.before else None,
            "before_journey": journey_fields(self.journey_before) if self.journey_before else None,
            "all_revisions": self.all_votes.to_dict(),
            "revisions": [
                {
                    "revision": r.revision,
                    "lineage": r.lineage,
                    "seen": r.seen,
                    "similarity": r.similarity,
                    "rewrite": r.rewrite,
                    "current": r.current,
                    **r.tally.to_dict(),
                    **journey_fields(self.revision_journeys.get(r.revision)),
                }
                for r in self.revisions
            ],
            "zero_result_searches": [{"query": q, "count": n} for q, n in self.zero_results],
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class Review:
    articles: list[ArticleReview]
    baselines: Baselines
    prior_csat: tuple[float, float]
    prior_hard: tuple[float, float]
    settings: ReviewSettings
    orphans: dict[str, Tally] = field(default_factory=dict)  # votes for unknown articles
    groups: TwoGroups | None = None  # the site's typical and weak articles (method mixture)
    journey: Journey | None = None  # the site's views, readers, contacts (votes: baselines)
    category_journeys: dict[str, Journey] = field(default_factory=dict)

    @property
    def flagged(self) -> list[ArticleReview]:
        return [a for a in self.articles if a.flagged]


# -- per-revision evidence -------------------------------------------------------------------


def lineage_map(
    article: Mapping[str, Any], history_entry: Mapping[str, Any] | None
) -> tuple[dict[str, int], int]:
    """({revision: lineage}, the current text's lineage) of an article."""
    current_rev = str(article.get("revision") or "")
    lin = lineages(history_entry)
    if current_rev not in lin:
        lin[current_rev] = max(lin.values(), default=-1) + 1
    return lin, lin[current_rev]


def split_by_lineage(
    article: Mapping[str, Any],
    tallies: Mapping[str, Tally],
    history_entry: Mapping[str, Any] | None,
) -> tuple[Tally, Tally | None, list[RevisionScore], str | None]:
    """(current lineage, previous lineage, per-revision scores, when the lineage began).

    Without a history for the article only its current revision counts as current; votes
    with an empty revision (imports that did not know it) count for the current text.
    """
    current_rev = str(article.get("revision") or "")
    lin, cur_lineage = lineage_map(article, history_entry)
    meta = {r["revision"]: r for r in (history_entry or {}).get("revisions", [])}
    current, before = Tally(), None
    rows: list[RevisionScore] = []
    for rev in set(tallies) | {current_rev}:
        t = tallies.get(rev, Tally())
        n = cur_lineage if rev == "" else lin.get(rev, -1)
        if n == cur_lineage:
            current = current + t
        elif n == cur_lineage - 1 and n >= 0:
            before = (before or Tally()) + t
        m = meta.get(rev, {})
        rows.append(
            RevisionScore(
                rev,
                n,
                t,
                m.get("seen"),
                m.get("similarity"),
                bool(m.get("rewrite")),
                rev == current_rev,
            )
        )
    order = {r: i for i, r in enumerate(meta)}
    rows.sort(
        key=lambda r: (
            r.lineage,
            order.get(r.revision, len(order)),
            r.tally.first.isoformat() if r.tally.first else "",
        )
    )
    if before is None and cur_lineage > 0 and any(r.lineage == cur_lineage - 1 for r in rows):
        before = Tally()
    started = next((r.seen for r in rows if r.lineage == cur_lineage and r.seen), None)
    return current, before, rows, started


# -- the judgement ----------------------------------------------------------------------------


def _peer_name(peers: str, article: Mapping[str, Any]) -> str:
    if peers == "category":
        return f"category {article.get('category') or '(none)'}'s"
    if peers == "type":
        return f"other {article.get('type') or 'article'}s'"
    return "site's"


def review(
    articles: Iterable[Mapping[str, Any]],
    per_revision: Mapping[str, Mapping[str, Tally]],
    history: Mapping[str, Any] | None = None,
    settings: ReviewSettings | None = None,
    *,
    today: dt.date | None = None,
    zero_results: Iterable[tuple] = (),
    lang: str = "en",
    journey: Mapping[str, tuple[int, int]] | None = None,
    journeys: Mapping[str, Mapping[str, Journey]] | None = None,
) -> Review:
    """Judge every article of the manifest; returns scores, baselines and flags.

    ``lang`` is the help center's language, for matching searches to articles' topics.
    ``journey`` maps an article's id to its (unique readers, contacts with support);
    ``journeys`` gives instead each article's :class:`Journey` per revision
    (:func:`kb.review.journey.by_revision`): then only the current lineage's readers and
    contacts are judged, as with votes, and the previous lineage's show a rewrite's effect."""
    s = settings or ReviewSettings()
    today = today or dt.datetime.now(dt.timezone.utc).date()
    hist = (history or {}).get("articles", {})
    arts = [dict(a) for a in articles]
    by_id = {str(a["id"]): a for a in arts}

    reviews: list[ArticleReview] = []
    for a in arts:
        tallies = per_revision.get(str(a["id"]), {})
        cur, before, rows, started = split_by_lineage(a, tallies, hist.get(str(a["id"])))
        all_votes = Tally()
        for t in tallies.values():
            all_votes = all_votes + t
        reviews.append(ArticleReview(a, cur, before, rows, all_votes, lineage_started=started))

    if journeys is not None:
        journey = _split_journeys(reviews, journeys, hist)
    current = {r.id: r.current for r in reviews}
    base = baselines(current, by_id)
    prior_csat = fit_beta_prior((t.satisfied, t.votes) for t in current.values())
    prior_hard = fit_beta_prior((t.hard, t.ces_votes) for t in current.values())
    # Zero-result searches may come per day, (query, count, "YYYY-MM-DD"): then only the
    # searches made since the article's current text was first built count against it.
    per_day: dict[str, list[tuple[str, int]]] = {}
    totals: dict[str, int] = {}
    for item in zero_results:
        query, count = item[0], int(item[1])
        totals[query] = totals.get(query, 0) + count
        if len(item) > 2 and item[2]:
            per_day.setdefault(query, []).append((str(item[2])[:10], count))
    ranked = sorted(totals.items(), key=lambda qc: (-qc[1], qc[0]))
    zr = match_zero_results(arts, ranked, lang)
    for r in reviews:
        if r.id in zr and r.lineage_started:
            start = r.lineage_started[:10]
            zr[r.id] = [
                (q, sum(c for d, c in per_day[q] if d >= start) if q in per_day else n)
                for q, n in zr[r.id]
            ]
            zr[r.id] = [(q, n) for q, n in zr[r.id] if n > 0]
    orphans = {k: sum(v.values(), Tally()) for k, v in per_revision.items() if k not in by_id}

    groups = _two_groups(reviews, s) if s.method == "mixture" else {}
    for r in reviews:
        peer_groups = groups.get(_peer_key(r.article, s.peers), groups.get(None))
        _judge(r, base, prior_csat, prior_hard, s, today, zr.get(r.id, []), peer_groups)
    if journey:
        _judge_contacts(reviews, journey, s)
    return Review(reviews, base, prior_csat, prior_hard, s, orphans, groups.get(None))


def _split_journeys(
    reviews: list[ArticleReview],
    journeys: Mapping[str, Mapping[str, Journey]],
    hist: Mapping[str, Any],
) -> dict[str, tuple[int, int]]:
    """Each article's journey of its current and previous lineage, their votes taken from
    the vote tallies; returns (readers, contacts) of the current lineage per article."""
    out: dict[str, tuple[int, int]] = {}
    for r in reviews:
        per_rev = journeys.get(r.id, {})
        lin, cur = lineage_map(r.article, hist.get(r.id))
        r.journey, r.journey_before = by_lineage(per_rev, lin, cur)
        r.revision_journeys = dict(per_rev)
        for j, t in ((r.journey, r.current), (r.journey_before, r.before)):
            if j is not None:
                j.votes, j.satisfied = (t.votes, t.satisfied) if t else (0, 0)
        for row in r.revisions:
            j = r.revision_journeys.get(row.revision)
            if j is not None:
                j.votes, j.satisfied = row.tally.votes, row.tally.satisfied
        out[r.id] = (r.journey.readers, r.journey.contacts)
    return out


MIN_GROUP_ARTICLES = 30  # fewer articles with votes in a category or type: use the site's fit


def _peer_key(article: Mapping[str, Any], peers: str) -> str | None:
    return None if peers == "site" else str(article.get(peers) or "")


def _evidence(t: Tally) -> Evidence:
    return Evidence(t.satisfied, t.votes, t.hard, t.ces_votes)


def _two_groups(reviews: list[ArticleReview], s: ReviewSettings) -> dict[str | None, TwoGroups]:
    """The two-group model fitted to the site, and to each peer group big enough for one."""
    fit: dict[str | None, TwoGroups] = {
        None: fit_two_groups((_evidence(r.current) for r in reviews), min_gap=s.csat_margin)
    }
    if s.peers != "site":
        members: dict[str | None, list[Evidence]] = {}
        for r in reviews:
            if r.current.votes:
                members.setdefault(_peer_key(r.article, s.peers), []).append(_evidence(r.current))
        for key, rows in members.items():
            if len(rows) >= MIN_GROUP_ARTICLES:
                fit[key] = fit_two_groups(rows, min_gap=s.csat_margin)
    return fit


def _judge(
    r: ArticleReview,
    base: Baselines,
    prior_csat: tuple[float, float],
    prior_hard: tuple[float, float],
    s: ReviewSettings,
    today: dt.date,
    zero_results: list[tuple[str, int]],
    groups: TwoGroups | None = None,
) -> None:
    t, a = r.current, r.article
    peers = base.for_article(a, s.peers)
    peer_name = _peer_name(s.peers, a)

    # Peers' rates without the article's own votes.
    n_rest, k_rest = peers.votes - t.votes, peers.satisfied - t.satisfied
    r.peer_csat = k_rest / n_rest if n_rest > 0 else None
    m_rest, h_rest = peers.ces_votes - t.ces_votes, peers.hard - t.hard
    r.peer_hard = h_rest / m_rest if m_rest > 0 else None

    csat_bad = hard_bad = False
    if r.peer_csat is not None and t.votes:
        alpha, beta = prior_csat
        r.p_csat_worse = beta_cdf(
            max(r.peer_csat - s.csat_margin, 0.0), alpha + t.satisfied, beta + t.votes - t.satisfied
        )
        csat_bad = t.votes >= s.min_votes and r.p_csat_worse >= s.confidence
    if r.peer_hard is not None and t.ces_votes:
        alpha, beta = prior_hard
        r.p_hard_worse = 1.0 - beta_cdf(
            min(r.peer_hard + s.ces_margin, 1.0), alpha + t.hard, beta + t.ces_votes - t.hard
        )
        hard_bad = (
            t.votes >= s.min_votes
            and t.ces_votes >= s.min_ces_votes
            and r.p_hard_worse >= s.confidence
        )
    # Weak on either count: the posterior probability that CSAT or the hard share is worse
    # than the peers' by the margin (the two posteriors are independent).
    if groups is not None and t.votes:
        # The two-group model reads CSAT and CES together and replaces the CSAT test.
        r.p_weak = groups.p_weak(_evidence(t))
        csat_bad = t.votes >= s.min_votes and r.p_weak >= s.weak_confidence
    elif not (csat_bad or hard_bad) and t.votes >= s.min_votes and s.either:
        p_either = 1 - (1 - (r.p_csat_worse or 0.0)) * (
            1 - (r.p_hard_worse or 0.0) if t.ces_votes >= s.min_ces_votes else 1.0
        )
        if p_either >= s.confidence:
            csat_bad = (r.p_csat_worse or 0) >= (r.p_hard_worse or 0)
            hard_bad = not csat_bad

    hard_text = ""
    if t.hard_share is not None and r.peer_hard is not None and t.hard_share > r.peer_hard:
        hard_text = f"{pct(t.hard_share)} found it hard to solve their problem"
    if csat_bad:
        text = (
            f"CSAT {pct(t.csat or 0)} over {t.votes} votes, "
            f"the {peer_name} is {pct(r.peer_csat or 0)}"
        )
        if hard_text:
            text += f"; {hard_text}"
            if hard_bad:
                text += f" (the {peer_name} is {pct(r.peer_hard or 0)})"
        r.reasons.append(Reason("csat", text))
    if hard_bad and not csat_bad:
        r.reasons.append(
            Reason(
                "ces",
                (
                    f"{hard_text} ({t.hard} of {t.ces_votes} answers, CES {t.ces:.1f} of 7), "
                    f"the {peer_name} is {pct(r.peer_hard or 0)}"
                ),
            )
        )
    elif hard_bad:
        rest_n, rest_sum = peers.ces_votes - t.ces_votes, peers.ces_sum - t.ces_sum
        peer_ces = f", the {peer_name} is {rest_sum / rest_n:.1f}" if rest_n > 0 else ""
        r.reasons.append(
            Reason("ces", f"CES {t.ces:.1f} of 7 over {t.ces_votes} answers{peer_ces}")
        )

    if s.review_by and a.get("review_by"):
        try:
            due = dt.date.fromisoformat(str(a["review_by"]))
        except ValueError:
            due = None
        if due is not None and due < today:
            r.reasons.append(Reason("review_by", f"review was due on {due.isoformat()}"))

    outdated = t.reasons.get("outdated", 0)
    if outdated >= s.outdated_min and t.votes and outdated / t.votes >= s.outdated_share:
        r.reasons.append(
            Reason("outdated", (f"{outdated} of {t.votes} readers said it is outdated"))
        )

    r.zero_results = sorted(zero_results, key=lambda qc: -qc[1])
    missed = sum(n for _, n in r.zero_results)
    if missed >= s.zero_result_min:
        shown = ", ".join(f"'{q}' ({n})" for q, n in r.zero_results[:3])
        r.reasons.append(
            Reason("zero_results", (f"{missed} searches on its topic found nothing: {shown}"))
        )

    r.flagged = bool(r.reasons)


def _judge_contacts(
    reviews: list[ArticleReview], journey: Mapping[str, tuple[int, int]], s: ReviewSettings
) -> None:
    """Flag articles whose readers contact support clearly more than the rest of the site's.

    The same empirical-Bayes test as the hard share: a Beta prior for the contact rate
    fitted to every article's (contacts, readers), and the posterior probability that the
    article's true rate is at least ``contact_margin`` above the other articles' rate.
    """
    for r in reviews:
        readers, contacts = journey.get(r.id, (0, 0))
        r.readers, r.contacts = max(int(readers), 0), min(max(int(contacts), 0), max(readers, 0))
    counts = [(r.contacts, r.readers) for r in reviews if r.readers]
    alpha, beta = fit_beta_prior(counts)
    site_readers = sum(n for _, n in counts)
    site_contacts = sum(k for k, _ in counts)
    for r in reviews:
        rest = site_readers - r.readers
        if not r.readers or rest <= 0:
            continue
        peer = (site_contacts - r.contacts) / rest
        r.p_contacts_worse = 1.0 - beta_cdf(
            min(peer + s.contact_margin, 1.0), alpha + r.contacts, beta + r.readers - r.contacts
        )
        if r.readers >= s.min_readers and r.p_contacts_worse >= s.confidence:
            r.reasons.append(
                Reason(
                    "contacts",
                    f"{pct(r.contacts / r.readers)} of its {r.readers} readers contacted "
                    f"support; the site's is {pct(peer)}",
                )
            )
            r.flagged = True


def naive_flag(t: Tally, threshold: float = 0.5, min_votes: int = 5) -> bool:
    """The rule kb replaces, kept for comparison: CSAT below 50% with at least 5 votes."""
    return t.votes >= min_votes and (t.csat or 0.0) < threshold
