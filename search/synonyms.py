"""Synonyms: the words customers use for what the articles call something else.

Groups live in ``search/synonyms/<lang>.txt`` (one group a line, phrases allowed). Matching
runs on every word of the query, stop words included, so "log in" is not mistaken for "log".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .analysis import _PARTS, clean, fold, stemmer, terms

DATA = Path(__file__).resolve().parent / "synonyms"


@dataclass(frozen=True)
class Variant:
    match: tuple[str, ...]  # every word, stemmed (stop words too): what a query must contain
    terms: tuple[str, ...]  # the indexable terms: what the variant searches for


# Articles and determiners are skipped when matching ("export the database" matches
# "export database"); prepositions are not ("log in" is not "log").
SKIP = {"en": {"the", "a", "an", "my", "our", "your", "this", "that"},
        "it": {"il", "lo", "la", "i", "gli", "le", "l", "un", "una", "uno", "mio", "mia",
               "miei", "mie", "nostro", "nostra", "questo", "questa"}}


def _match_key(text: str, lang: str) -> tuple[str, ...]:
    st = stemmer(lang)
    skip = SKIP.get(lang, set())
    return tuple(_key(st, w) for w in _PARTS.findall(clean(text)) if w.lower() not in skip)


def _keys_at(text: str, lang: str) -> list[tuple[int, str]]:
    """(position in the query's words, match key) of every word that is not skipped."""
    st = stemmer(lang)
    skip = SKIP.get(lang, set())
    return [(i, _key(st, w)) for i, w in enumerate(_PARTS.findall(clean(text)))
            if w.lower() not in skip]


def _key(st, word: str) -> str:
    """A word's match key: stemmed like the analysis does (irregular forms first), stop
    words included."""
    lw = word.lower()
    return fold(st.stem(st.irregular.get(lw, lw)))


def variant(text: str, lang: str) -> Variant:
    return Variant(_match_key(text, lang), tuple(dict.fromkeys(t for t, *_ in terms(text, lang))))


@cache
def groups(lang: str) -> tuple[tuple[Variant, ...], ...]:
    path = DATA / f"{lang}.txt"
    if not path.exists():
        return ()
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vs = [variant(v.strip(), lang) for v in line.split(",") if v.strip()]
        vs = [v for v in vs if v.match and v.terms]
        if len(vs) > 1:
            out.append(tuple(vs))
    return tuple(out)


@dataclass
class Span:
    start: int  # in the query's words
    end: int
    alternatives: list[tuple[str, ...]]  # term tuples of the other variants


def find(text: str, lang: str) -> list[Span]:
    """The synonym spans in the query's words (positions as in analysis.terms)."""
    at = _keys_at(text, lang)
    words = [k for _i, k in at]
    taken = [False] * len(words)
    spans: list[Span] = []
    candidates = []
    for group in groups(lang):
        for v in group:
            n = len(v.match)
            for i in range(len(words) - n + 1):
                if tuple(words[i:i + n]) == v.match:
                    candidates.append((n, i, v, group))
    by_place: dict[tuple[int, int], Span] = {}
    for n, i, v, group in sorted(candidates, key=lambda c: (-c[0], c[1])):
        alts = [o.terms for o in group if o is not v and o.terms != v.terms]
        same = by_place.get((i, i + n))
        if same is not None:  # the words belong to several groups
            same.alternatives = list(dict.fromkeys(same.alternatives + alts))
            continue
        if any(taken[i:i + n]):
            continue
        for k in range(i, i + n):
            taken[k] = True
        by_place[(i, i + n)] = span = Span(at[i][0], at[i + n - 1][0] + 1,
                                           list(dict.fromkeys(alts)))
        spans.append(span)
    return sorted(spans, key=lambda s: s.start)
