"""Phrase and proximity bonuses, computed for the best candidates only.

Whoosh's phrase queries test every document that holds all the words, which on a large
help center costs more than the rest of the search. Here the candidates come from the
word query; the positions of the query's words are read for those few documents and a
bonus is added when the words appear in order and close together (the whole query, and
each pair of neighbouring words).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from whoosh.reading import TermNotFound


def _occurrences(seq: list[str], positions: dict[str, list[int]], gap: int) -> int:
    """How often the words of ``seq`` appear in order, each within ``gap`` of the last."""
    lists = [positions.get(t) for t in seq]
    if any(not p for p in lists):
        return 0
    count = 0
    for start in lists[0]:
        prev = start
        for plist in lists[1:]:
            i = bisect_right(plist, prev)
            if i == len(plist) or plist[i] - prev > gap:
                break
            prev = plist[i]
        else:
            count += 1
    return count


def _saturate(freq: int, k1: float) -> float:
    return freq * (k1 + 1) / (freq + k1)


def bonuses(searcher, lang: str, docnums: list[int], seq: list[str], r) -> dict[int, float]:
    """docnum -> bonus for the candidates ``docnums`` (query words ``seq``, in order)."""
    out: dict[int, float] = defaultdict(float)
    if len(seq) < 2 or not docnums:
        return out
    reader = searcher.reader()
    wanted = sorted(set(docnums))
    fields = ((f"title_{lang}", r.phrase_title, 3, 0.0), (f"keys_{lang}", r.phrase_body, 3, 0.0),
              (f"body_{lang}", r.phrase_body, 4, r.near_body))
    for field, full, gap, near in fields:
        idf = {t: searcher.idf(field, t) for t in set(seq)}
        found: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for t in set(seq):
            try:
                m = reader.postings(field, t)
            except TermNotFound:
                continue
            for d in wanted:
                if not m.is_active():
                    break
                if m.id() < d:
                    m.skip_to(d)
                if m.is_active() and m.id() == d:
                    found[d][t] = list(m.value_as("positions"))
        weight = sum(idf.values())
        for d, positions in found.items():
            if len(positions) < 2:
                continue
            n = _occurrences(seq, positions, gap)
            if n:
                out[d] += full * weight * _saturate(n, r.k1)
            if near:
                for a, b in zip(seq, seq[1:], strict=False):
                    if a != b:
                        pairs = _occurrences([a, b], positions, 3)
                        if pairs:
                            out[d] += near * (idf[a] + idf[b]) * _saturate(pairs, r.k1)
    return out
