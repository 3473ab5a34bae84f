"""What customers could not find: the searches that did not help, grouped into topics.

A search did not help when it found nothing, or when its reader opened a result and then
voted it unsatisfying or contacted support (``search_log.outcome``, written by
:mod:`kb.store.journey`). Queries are grouped by the search engine's own terms
(:mod:`kb.search.analysis`: stemmed, accents folded, stop words and Italian elisions
dropped), so "Refunds", "the refund" and "refund?" are one topic and "rimborso
dell'abbonamento" is "abbonamento rimborsi". With a search model (``search_model``) the
topics whose commonest queries mean the same ("get my money back", "refund") are joined too.

Topics are ranked by how many searches they cost, each search a reader who did not find
what they came for (the search log keeps no visitor, so one reader searching twice counts
twice). Each topic has its searches per language and per failure, its commonest queries,
the customers' own words, the articles its readers ended on, and, for searches that found
nothing, the article it seems to be about (:func:`kb.review.topics.match_zero_results`):
that article lacks the customers' words; a topic about no article is one to write.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from kb.review.searches import failed_searches
from kb.review.topics import match_zero_results
from kb.search import analysis
from kb.search.vectors import site_encoder

log = logging.getLogger("kb.review")

FAILURES = ("no_result", "unsatisfied", "contact")
MASKS = ("[email]", "[number]")  # what kb.store.searchlog puts for addresses and numbers
EXAMPLES = 5
KEYWORDS = 8
# Topics compared by meaning: the costliest ones (a query takes 30-130 ms to encode on two
# busy cores with all-MiniLM-L6-v2; each is encoded once per process, see _VECTORS).
MEANING_TOPICS = 100
# Cosine of two queries' vectors from which they are one topic. Measured with
# all-MiniLM-L6-v2 on support queries: paraphrases score 0.58-0.85 ("cancel my plan" /
# "cancel subscription" 0.58, "refund" / "get my money back" 0.73, "two factor
# authentication" / "2fa" 0.58), neighbouring topics at most 0.51 ("invoice" / "bill",
# "forgot password" / "can't log in"; "stop my subscription" / "delete my account" 0.48).
MEANING_SIMILARITY = 0.55
VECTORS_KEPT = 20_000
_VECTORS: dict[tuple[str, str], Any] = {}  # (model digest, query) -> its vector

Embed = Callable[[list[str]], Any]  # texts -> (n, dim) unit vectors (numpy)


@dataclass
class Topic:
    """One thing customers could not find."""

    key: tuple[str, ...]  # the search engine's terms of its first query
    searches: int = 0
    failures: Counter = field(default_factory=Counter)
    langs: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)
    articles: Counter = field(default_factory=Counter)
    terms: Counter = field(default_factory=Counter)
    words: dict[str, Counter] = field(default_factory=dict)  # term -> the words it came from
    about: list[str] = field(default_factory=list)
    vague: bool = False  # its queries are stop words only ("can", "how to"): no terms

    @property
    def label(self) -> str:
        return self.queries.most_common(1)[0][0] if self.queries else " ".join(self.key)

    def add(self, other: Topic) -> None:
        self.searches += other.searches
        for mine, theirs in (
            (self.failures, other.failures),
            (self.langs, other.langs),
            (self.queries, other.queries),
            (self.articles, other.articles),
            (self.terms, other.terms),
        ):
            mine.update(theirs)
        for term, words in other.words.items():
            self.words.setdefault(term, Counter()).update(words)

    def keywords(self, n: int = KEYWORDS) -> list[str]:
        """The customers' words, the commonest first (each term as they most often wrote it)."""
        return [self.words[t].most_common(1)[0][0] for t, _ in self.terms.most_common(n)]

    def to_dict(self, titles: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
        titles = titles or {}

        def article(aid: str) -> dict[str, Any]:
            a = titles.get(aid) or {}
            return {"id": aid, "title": a.get("title"), "path": a.get("path")}

        return {
            "topic": self.label,
            "searches": self.searches,
            **{f: self.failures.get(f, 0) for f in FAILURES},
            "langs": dict(self.langs.most_common()),
            "examples": [{"query": q, "count": n} for q, n in self.queries.most_common(EXAMPLES)],
            "keywords": self.keywords(),
            "ended_on": [
                {**article(aid), "count": n} for aid, n in self.articles.most_common(EXAMPLES)
            ],
            "about": [article(aid) for aid in self.about],
        }


@dataclass
class NotFound:
    topics: list[Topic]  # the costliest first
    searches: int  # every search that did not help
    grouped_by: str  # "words", or "meaning" when a search model joined topics
    titles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        shown = self.topics if limit is None else self.topics[:limit]
        return {
            "searches": self.searches,
            "topics_total": len(self.topics),
            "grouped_by": self.grouped_by,
            "topics": [t.to_dict(self.titles) for t in shown],
        }


def query_terms(query: str, lang: str) -> list[tuple[str, str]]:
    """``[(term, word)]``: the search engine's terms of ``query`` with the word each came
    from. A compound is kept whole ("e-mail" is "email", as "email" is), masked numbers and
    addresses and one-letter terms (elisions: "l'") are left out."""
    for mask in MASKS:
        query = query.replace(mask, " ")
    found = analysis.terms(query, lang)
    spans: list[tuple[int, int]] = []
    out: list[tuple[int, str, str]] = []
    for term, _, start, end in sorted(found, key=lambda t: (t[2] - t[3], t[2])):
        if any(s <= start and end <= e for s, e in spans):
            continue  # a part of a compound already kept
        spans.append((start, end))
        if len(term) >= 2 and not term.isdigit():
            out.append((start, term, query[start:end].lower()))
    return [(t, w) for _, t, w in sorted(out)]


def topic_key(query: str, lang: str) -> tuple[str, ...]:
    """Queries with the same key are one topic: their sorted distinct terms (the folded
    query itself when it has none)."""
    key = tuple(sorted({t for t, _ in query_terms(query, lang)}))
    return key or (analysis.fold(" ".join(query.split())),)


def group(rows: Iterable[Mapping[str, Any]], lang: str = "en") -> list[Topic]:
    """Rows of :func:`kb.review.searches.failed_searches` -> topics, the costliest first.
    A row's language is its search's, else the help center's ``lang``."""
    topics: dict[tuple[str, ...], Topic] = {}
    for r in rows:
        query, n = str(r["query"]), int(r["count"])
        row_lang = r.get("lang") or lang
        key = topic_key(query, row_lang)
        t = topics.setdefault(key, Topic(key, vague=not query_terms(query, row_lang)))
        t.searches += n
        t.failures[r.get("failure") or "no_result"] += n
        t.langs[row_lang] += n
        t.queries[query] += n
        if r.get("article"):
            t.articles[str(r["article"])] += n
        for term, word in dict(query_terms(query, row_lang)).items():
            t.terms[term] += n
            t.words.setdefault(term, Counter())[word] += n
    return ranked(topics.values())


def ranked_key(t: Topic) -> tuple:
    return (-t.searches, -t.failures.get("contact", 0), t.label)


def ranked(topics: Iterable[Topic]) -> list[Topic]:
    return sorted(topics, key=ranked_key)


def join_narrower(topics: list[Topic]) -> list[Topic]:
    """Join a topic into a wider one about the same article: when every search of topic
    ``T`` opened an article, and a topic whose words include all of ``T``'s ended mostly on
    that same article, ``T`` is part of it ("refund" into "refund my order" when both
    readers ended on the refund article); so is a topic of stop words alone ("can", "how
    to") with any topic of words that ended on its article. ``T`` joins the costliest such
    topic; searches that found nothing are never joined this way (a missing article's words
    are what matter there)."""
    top = {id(t): t.articles.most_common(1)[0][0] for t in topics if t.articles}
    into: dict[int, Topic] = {}
    for t in sorted(topics, key=lambda t: (t.vague, -len(t.key))):  # the widest first
        if t.failures.get("no_result") or id(t) not in top:
            continue
        words = set(t.key)
        wider = [
            u
            for u in topics
            if u is not t
            and top.get(id(u)) == top[id(t)]
            and (words < set(u.key) or (t.vague and not u.vague))
        ]
        if wider:
            into[id(t)] = min(wider, key=ranked_key)

    def final(t: Topic) -> Topic:
        while id(t) in into:
            t = into[id(t)]
        return t

    for t in topics:
        if id(t) in into:
            final(t).add(t)
    return ranked(t for t in topics if id(t) not in into)


def join_by_meaning(
    topics: list[Topic], embed: Embed, similarity: float = MEANING_SIMILARITY
) -> list[Topic]:
    """Join topics whose commonest queries mean the same and that ended alike: on the same
    article, or on none (searches that found nothing). The costliest topic leads; each next
    one joins the closest leader it is close enough to, or leads a topic of its own
    (compared with leaders only, so a chain of near neighbours never drifts off topic).
    A topic about a missing article never joins one about an existing article: "delete
    workspace" (found nothing) and "set your workspace" (ended unsatisfied on the workspace
    article) are two things to do, however close their words (cosine 0.68).
    Topics beyond :data:`MEANING_TOPICS` stay as they are."""
    head, tail = topics[:MEANING_TOPICS], topics[MEANING_TOPICS:]
    if len(head) < 2:
        return topics
    vectors = embed([t.label for t in head])
    leaders: list[int] = []
    out: list[Topic] = []
    for i, t in enumerate(head):
        best, at = -1.0, -1
        for k, j in enumerate(leaders):
            if _ended_on(head[j]) != _ended_on(t):
                continue
            sim = float(vectors[i] @ vectors[j])
            if sim > best:
                best, at = sim, k
        if at >= 0 and best >= similarity:
            out[at].add(t)
        else:
            leaders.append(i)
            out.append(t)
    return ranked(out) + tail


def _ended_on(t: Topic) -> str | None:
    """The article a topic's readers ended on most, None when its searches found nothing."""
    return t.articles.most_common(1)[0][0] if t.articles else None


def add_about(
    topics: Iterable[Topic], articles: Iterable[Mapping[str, Any]], lang: str = "en"
) -> None:
    """For topics whose searches found nothing: the article each seems to be about."""
    todo = [t for t in topics if t.failures.get("no_result")]
    if not todo:
        return
    labels = [(t.label, t.searches) for t in todo]
    matched = match_zero_results(list(articles), labels, lang)
    by_label: dict[str, list[str]] = {}
    for aid, queries in matched.items():
        for q, _ in queries:
            by_label.setdefault(q, []).append(aid)
    for t in todo:
        t.about = sorted(by_label.get(t.label, []))


def encoder_embed(encoder) -> Embed:
    """Vectors of queries by ``encoder``, each query encoded once per process."""
    prefix = encoder.prompts.get("query", "")

    def embed(texts: list[str]):
        todo = [t for t in dict.fromkeys(texts) if (encoder.digest, t) not in _VECTORS]
        if todo:
            if len(_VECTORS) + len(todo) > VECTORS_KEPT:
                _VECTORS.clear()
            for t, v in zip(todo, encoder.encode([prefix + t for t in todo]), strict=True):
                _VECTORS[encoder.digest, t] = v
        return np.stack([_VECTORS[encoder.digest, t] for t in texts])

    return embed


def load_not_found(
    engine: Engine,
    site_dir: str | Path,
    articles: Iterable[Mapping[str, Any]],
    *,
    lang: str = "en",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    meaning: bool = True,
    shown: int = 50,
) -> NotFound:
    """The searches that did not help from ``since`` to ``until``, in topics; with
    ``meaning`` and a model in the built site's search, topics are joined by meaning too.
    The ``shown`` costliest topics get the article they seem to be about."""
    articles = list(articles)
    topics = join_narrower(group(failed_searches(engine, since=since, until=until), lang))
    grouped_by = "words"
    encoder = site_encoder(site_dir) if meaning and len(topics) > 1 else None
    if encoder is not None:
        topics = join_by_meaning(topics, encoder_embed(encoder))
        grouped_by = "meaning"
    add_about(topics[:shown], articles, lang)
    titles = {str(a["id"]): a for a in articles}
    return NotFound(topics, sum(t.searches for t in topics), grouped_by, titles)
