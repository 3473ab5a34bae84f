"""Which article a search that found nothing was about: its words against the articles' topics.

A query shares the search engine's terms (:mod:`kb.search.analysis`: stemmed, folded, without
stop words) with an article's title, tags, summary and path; the review counts those searches
against the article (:mod:`kb.review.flags`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from kb.search import analysis


def topic_terms(text: str, lang: str = "en") -> set[str]:
    """The search engine's terms of a text (stemmed, folded, no stop words): a query and an
    article's topic share a term when the search would match them word for word."""
    return {t for t, *_ in analysis.terms(text, lang) if len(t) >= 3 and t.isalpha()}


def match_zero_results(
    articles: Iterable[Mapping[str, Any]],
    zero_results: Iterable[tuple[str, int]],
    lang: str = "en",
) -> dict[str, list[tuple[str, int]]]:
    """Assign each zero-result query to the article whose topic it is about, if any.

    Topics are the words of an article's title, tags, summary and path. Only query words
    that some topic uses count ("refund paypal": "paypal" is in no article, so the query is
    about "refund"). The query goes to the article sharing the most of them, weighted by how
    rare each word is among the articles (IDF), when it shares at least half of them and one
    is distinctive (in at most a tenth of the articles, or two); ties go to every best article.
    Words are the search engine's terms in the help center's language ``lang``.
    """
    topics = []
    for a in articles:
        words = " ".join(
            [
                str(a.get("title") or ""),
                " ".join(a.get("tags") or []),
                str(a.get("summary") or ""),
                str(a.get("path") or "").replace("-", " ").replace("/", " "),
            ]
        )
        topics.append((str(a["id"]), topic_terms(words, lang)))
    df: dict[str, int] = {}
    for _, terms in topics:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    n = max(len(topics), 1)
    rare = max(2, n // 10)
    out: dict[str, list[tuple[str, int]]] = {}
    for query, count in zero_results:
        known = {t for t in topic_terms(query, lang) if t in df}
        if not known:
            continue
        best, who = 0.0, []
        for aid, terms in topics:
            shared = known & terms
            if len(shared) * 2 < len(known) or not any(df[t] <= rare for t in shared):
                continue
            score = sum(math.log(1 + n / df[t]) for t in shared)
            if score > best + 1e-9:
                best, who = score, [aid]
            elif abs(score - best) <= 1e-9:
                who.append(aid)
        for aid in who:
            out.setdefault(aid, []).append((query, count))
    return out
