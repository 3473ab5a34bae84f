"""Phrase and proximity bonuses, computed for the best candidates only.

Whoosh's phrase queries test every document that holds all the words, which on a large
help center costs more than the rest of the search. Here the candidates come from the
word query; the positions of the query's words are read for those few documents and a
bonus is added when the words appear in order and close together (the whole query, and
each pair of neighbouring words).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

import numpy as np
from kb.search import analysis
from whoosh.matching.wrappers import FilterMatcher, MultiMatcher, WrappingMatcher
from whoosh.reading import TermNotFound

BODY_CANDIDATES = 10


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


def _longest_run(seq: list[str], positions: dict[str, list[int]], gap: int) -> list[str]:
    """The longest stretch of consecutive words of ``seq`` found in order (each within
    ``gap`` of the last)."""
    best: list[str] = []
    for i in range(len(seq)):
        j = i + len(best) + 1  # only a longer stretch can win
        while j <= len(seq) and _occurrences(seq[i:j], positions, gap):
            best = seq[i:j]
            j += 1
    return best


def _saturate(freq: int, k1: float) -> float:
    return freq * (k1 + 1) / (freq + k1)


def bonuses(
    searcher,
    lang: str,
    docnums: list[int],
    seq: list[str],
    r,
    holds=None,
    directory: dict | None = None,
    stored=None,
) -> dict[int, float]:
    """docnum -> bonus for the candidates ``docnums`` (query words ``seq``, in order).

    ``holds(field, term)``, when given, returns the sorted docnums holding ``term`` in
    ``field`` (the scorer has them in memory): positions are then read only where a
    document holds two query words or more."""
    out: dict[int, float] = defaultdict(float)
    if len(seq) < 2 or not docnums:
        return out
    reader = searcher.reader()
    fields = (
        (f"title_{lang}", r.phrase_title, 3, 0.0, 0.0, len(docnums)),
        # body postings are long: positions are read for the very best only
        (f"body_{lang}", r.phrase_body, 4, r.near_body, r.run_body, BODY_CANDIDATES),
    )
    for field, full, gap, near, run, count in fields:
        wanted = sorted(set(docnums[:count]))
        terms = set(seq)
        per_term = {t: wanted for t in terms}
        if holds is not None:
            cand = np.asarray(wanted, dtype=np.int64)
            present = {t: cand[_member(cand, holds(field, t))] for t in terms}
            counts: dict[int, int] = defaultdict(int)
            for p in present.values():
                for d in p.tolist():
                    counts[d] += 1
            per_term = {t: [d for d in p.tolist() if counts[d] >= 2] for t, p in present.items()}
        idf = {t: searcher.idf(field, t) for t in terms}
        found: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for t in terms:
            if not per_term[t]:
                continue
            if field.startswith("title_"):  # short and stored: analyse it again, no I/O
                got = _title_positions(stored or searcher.stored_fields, lang, t, per_term[t])
            else:
                got = positions(reader, field, t, per_term[t], directory)
            for d, pos in got.items():
                found[d][t] = pos
        weight = sum(idf.values())
        for d, where in found.items():
            if len(where) < 2:
                continue
            n = _occurrences(seq, where, gap)
            if n:
                out[d] += full * weight * _saturate(n, r.k1)
            elif run and len(seq) > 3:
                # a pasted or half-remembered message: the longest stretch of the query
                # that the document holds in order, when it is three words or more
                best = _longest_run(seq, where, gap)
                if len(best) >= 3:
                    out[d] += run * sum(idf[t] for t in best)
            if near:
                for a, b in zip(seq, seq[1:], strict=False):
                    if a != b:
                        pairs = _occurrences([a, b], where, 3)
                        if pairs:
                            out[d] += near * (idf[a] + idf[b]) * _saturate(pairs, r.k1)
    return out


def _member(cand, ids) -> np.ndarray:
    """Which of ``cand`` are in the sorted array ``ids``."""
    if not len(ids):
        return np.zeros(len(cand), dtype=bool)
    at = np.minimum(np.searchsorted(ids, cand), len(ids) - 1)
    return ids[at] == cand


def _title_positions(stored, lang: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    out = {}
    for d in docnums:
        title = stored(d).get("title") or ""
        pos = [p for t, p, *_ in analysis.terms(analysis.clean(title), lang) if t == term]
        if pos:
            out[d] = pos
    return out


def _leaves(m, offset: int = 0):
    while isinstance(m, (FilterMatcher, WrappingMatcher)) and not isinstance(m, MultiMatcher):
        m = m.child
    if isinstance(m, MultiMatcher):
        for sub, off in zip(m.matchers, m.offsets, strict=True):
            yield from _leaves(sub, offset + off)
    else:
        yield m, offset


def positions(
    reader, field: str, term: str, docnums: list[int], directory: dict | None = None
) -> dict[int, list[int]]:
    """docnum -> positions of ``term`` in ``field``, for the sorted ``docnums`` only.

    Whoosh's posting blocks are chained; the chain (each block's highest id and offset) is
    walked once per term and kept in ``directory`` (with the matchers: one directory per
    thread), so later lookups jump straight to the block that may hold a document and find
    it by bisection."""
    cached = directory.get((field, term)) if directory is not None else None
    if cached is None:
        try:
            cached = list(_leaves(reader.postings(field, term)))
        except TermNotFound:
            cached = []
        if directory is not None:
            directory[(field, term)] = cached
    out: dict[int, list[int]] = {}
    leaves = cached
    for n, (leaf, off) in enumerate(leaves):
        end = leaves[n + 1][1] if n + 1 < len(leaves) else None
        mine = [d for d in docnums if d >= off and (end is None or d < end)]
        if not mine:
            continue
        if not all(hasattr(leaf, a) for a in ("_read_ids", "_goto", "_maxid", "_baseoffset")):
            leaf.reset()  # another posting format: Whoosh's own skipping, from the start
            for d in mine:
                local = d - off
                if leaf.is_active() and leaf.id() < local:
                    leaf.skip_to(local)
                if leaf.is_active() and leaf.id() == local:
                    out[d] = list(leaf.value_as("positions"))
            continue
        key = (field, term, n)
        blocks = directory.get(key) if directory is not None else None
        if blocks is None:
            blocks = _blocks(leaf)
            if directory is not None:
                directory[key] = blocks
        maxids = [b[0] for b in blocks]
        current = None
        for d in mine:
            local = d - off
            k = bisect_left(maxids, local)
            if k == len(blocks):
                break
            if current != k:
                leaf._goto(blocks[k][1])
                leaf._read_ids()
                current = k
            i = bisect_left(leaf._ids, local, 0, leaf._blocklength)
            if i < leaf._blocklength and leaf._ids[i] == local:
                leaf._i = i
                out[d] = list(leaf.value_as("positions"))
    return out


def _blocks(leaf) -> list[tuple[int, int]]:
    """(highest id, offset) of every block of a Whoosh 3 posting list."""
    out = []
    offset = leaf._baseoffset
    leaf._goto(offset)
    while True:
        out.append((leaf._maxid, offset))
        if leaf._lastblock:
            break
        offset = leaf._nextoffset
        leaf._goto(offset)
    return out
