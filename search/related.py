"""Related articles, computed at build time from what the articles say.

Each article becomes a weighted bag of its most telling terms (title and headings count
more than body text; terms common to most articles count little); two articles are related
when their bags overlap (cosine similarity). Only articles in the same language are
compared. Pure Python over the analysed terms: 10,000 articles take a few seconds.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from kb.search.analysis import terms
from kb.search.documents import SearchDoc

TOP_TERMS = 24  # terms kept per article
COMMON = 0.15  # terms in more than this share of articles do not propose candidates
MIN_SCORE = 0.03


def _bag(doc: SearchDoc) -> Counter:
    bag: Counter = Counter()
    lang = doc.lang
    for t, *_ in terms(doc.title, lang):
        bag[t] += 4
    for t, *_ in terms(" ".join([doc.summary, *doc.tags, doc.headings_text]), lang):
        bag[t] += 2
    for t, *_ in terms(doc.body_text, lang):
        bag[t] += 1
    return bag


def related(docs: Iterable[SearchDoc], limit: int = 5) -> dict[str, list[str]]:
    """document key -> keys of up to ``limit`` related articles, most related first (a key
    is the article's id in a one-language help center; see SearchDoc.key)."""
    by_lang: dict[str, list[SearchDoc]] = defaultdict(list)
    for d in docs:
        by_lang[d.lang].append(d)
    out: dict[str, list[str]] = {}
    for group in by_lang.values():
        out.update(_related_group(group, limit))
    return out


def _related_group(docs: list[SearchDoc], limit: int) -> dict[str, list[str]]:
    bags = [_bag(d) for d in docs]
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(docs)
    vectors: list[dict[str, float]] = []
    for bag in bags:
        weights = {t: (1 + math.log(c)) * math.log(1 + n / df[t]) for t, c in bag.items()}
        top = sorted(weights.items(), key=lambda kv: -kv[1])[:TOP_TERMS]
        norm = math.sqrt(sum(w * w for _t, w in top)) or 1.0
        vectors.append({t: w / norm for t, w in top})
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    limit_df = max(3, int(n * COMMON))
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            if df[t] <= limit_df:
                postings[t].append((i, w))
    out: dict[str, list[str]] = {}
    for i, vec in enumerate(vectors):
        scores: dict[int, float] = defaultdict(float)
        for t, w in vec.items():
            for j, wj in postings.get(t, ()):
                if j != i:
                    scores[j] += w * wj
        best = sorted((s, j) for j, s in scores.items() if s >= MIN_SCORE)
        best.sort(key=lambda sj: (-sj[0], docs[sj[1]].title))
        out[docs[i].key] = [docs[j].key for _s, j in best[:limit]]
    return out
