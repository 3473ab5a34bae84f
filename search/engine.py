"""Querying: analysis in the reader's language, BM25F with field boosts, phrase and
proximity bonuses, typo correction with "did you mean", snippets.

User input never goes through a query language: the text is analysed into terms and the
query is assembled from Whoosh query objects, so no input can be a syntax error.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

from whoosh import query as Q
from whoosh import scoring

from .analysis import LANGS, terms, words
from .snippets import snippet
from .spelling import Corrector

MAX_QUERY = 200  # characters; longer input is cut
MAX_LIMIT = 50


@dataclass(frozen=True)
class Ranking:
    """The knobs of ranking, in one place (benchmarks/search_eval measures them)."""

    title: float = 5.0
    keys: float = 2.5
    body: float = 1.0
    title_b: float = 0.5
    keys_b: float = 0.6
    body_b: float = 0.75
    k1: float = 1.2
    coord: float = 0.6  # bonus for matching more of the query's terms
    phrase_title: float = 4.0
    phrase_body: float = 1.5
    near_body: float = 0.6  # two neighbouring query words close together
    corrected: float = 0.9  # weight of a spelling correction next to the typed word


DEFAULT_RANKING = Ranking()


def _weighting(r: Ranking) -> scoring.BM25F:
    per_field = {}
    for lang in LANGS:
        per_field[f"title_{lang}_B"] = r.title_b
        per_field[f"keys_{lang}_B"] = r.keys_b
        per_field[f"body_{lang}_B"] = r.body_b
    return scoring.BM25F(B=r.body_b, K1=r.k1, **per_field)


@dataclass
class _Plan:
    lang: str
    terms: list[str]  # analysed terms, in query order, unique
    corrections: dict[str, str]  # typed word -> known word


class SearchEngine:
    """Search one opened Whoosh index. Thread-safe: one Whoosh searcher per thread."""

    def __init__(self, ix, ranking: Ranking = DEFAULT_RANKING) -> None:
        self.ix = ix
        self.ranking = ranking
        self.weighting = _weighting(ranking)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._correctors: dict[str, Corrector] = {}
        with ix.searcher() as s:
            self.doc_counts = {lang: s.doc_frequency("lang", lang) for lang in LANGS}
        self.default_lang = max(LANGS, key=lambda lang: self.doc_counts.get(lang, 0))

    # -- resources -----------------------------------------------------------------------
    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher(weighting=self.weighting)
        return s

    def corrector(self, lang: str) -> Corrector:
        with self._lock:
            c = self._correctors.get(lang)
            if c is None:
                reader = self.searcher().reader()
                field = f"words_{lang}"
                freq = {}
                if field in reader.indexed_field_names():
                    freq = {t.decode() if isinstance(t, bytes) else t: ti.doc_frequency()
                            for t, ti in reader.iter_field(field)}
                c = self._correctors[lang] = Corrector(freq)
            return c

    def close(self) -> None:
        s = getattr(self._local, "searcher", None)
        if s is not None:
            s.close()

    def pick_lang(self, lang: str | None) -> str:
        if lang in LANGS and self.doc_counts.get(lang):
            return lang
        return self.default_lang

    # -- queries -------------------------------------------------------------------------
    def plan(self, text: str, lang: str) -> _Plan:
        found = list(dict.fromkeys(t for t, *_ in terms(text, lang)))
        corrections: dict[str, str] = {}
        corrector = self.corrector(lang)
        for w in dict.fromkeys(words(text)):
            if not corrector.known(w):
                fixed = corrector.correct(w)
                if fixed:
                    corrections[w] = fixed
        return _Plan(lang, found, corrections)

    def _term_clause(self, term: str, lang: str, boost: float = 1.0) -> Q.Query:
        r = self.ranking
        return Q.Or([Q.Term(f"title_{lang}", term, boost=r.title * boost),
                     Q.Term(f"keys_{lang}", term, boost=r.keys * boost),
                     Q.Term(f"body_{lang}", term, boost=r.body * boost)])

    def build_query(self, plan: _Plan, *, typed: bool = True, fixed: bool = True) -> Q.Query | None:
        r, lang = self.ranking, plan.lang
        fixed_terms: dict[str, list[str]] = {}
        if fixed:
            for w, c in plan.corrections.items():
                for t, *_ in terms(w, lang):
                    fixed_terms.setdefault(t, []).extend(x for x, *_ in terms(c, lang))
        clauses: list[Q.Query] = []
        seq: list[str] = []
        for t in plan.terms:
            alts = [x for x in fixed_terms.get(t, []) if x != t]
            if typed and alts:
                clauses.append(Q.Or([self._term_clause(t, lang)]
                                    + [self._term_clause(a, lang, r.corrected) for a in alts]))
                seq.append(alts[0])
            elif typed:
                clauses.append(self._term_clause(t, lang))
                seq.append(t)
            elif alts:
                clauses.append(self._term_clause(alts[0], lang))
                seq.append(alts[0])
            else:
                clauses.append(self._term_clause(t, lang))
                seq.append(t)
        if not clauses:
            return None
        if len(seq) > 1:
            clauses.append(Q.Phrase(f"title_{lang}", seq, slop=3, boost=r.phrase_title))
            clauses.append(Q.Phrase(f"body_{lang}", seq, slop=4, boost=r.phrase_body))
            clauses.append(Q.Phrase(f"keys_{lang}", seq, slop=3, boost=r.phrase_body))
            for a, b in zip(seq, seq[1:]):
                if a != b:
                    clauses.append(Q.Phrase(f"body_{lang}", [a, b], slop=3, boost=r.near_body))
        return Q.Or(clauses, scale=r.coord)

    def _run(self, q: Q.Query | None, limit: int):
        if q is None:
            return None
        return self.searcher().search(q, limit=limit, terms=False)

    def search(self, text: str, lang: str | None = None, limit: int = 10) -> dict:
        """The search API's answer: ``{"results", "total", "suggestion"}``."""
        text = re.sub(r"\s+", " ", (text or "")[:MAX_QUERY]).strip()
        limit = max(1, min(int(limit), MAX_LIMIT))
        lang = self.pick_lang(lang)
        empty = {"results": [], "total": 0, "suggestion": None}
        if not text:
            return empty
        plan = self.plan(text, lang)
        suggestion = None
        if plan.corrections:
            typed = self._run(self.build_query(plan, fixed=False), 1)
            fixed = self._run(self.build_query(plan, typed=False), 1)
            typed_best = typed[0].score if typed is not None and len(typed) else 0.0
            fixed_best = fixed[0].score if fixed is not None and len(fixed) else 0.0
            if fixed_best > typed_best:
                suggestion = _apply(text, plan.corrections)
        results = self._run(self.build_query(plan), limit)
        if results is None:
            return {**empty, "suggestion": suggestion}
        wanted = set(plan.terms)
        for w, c in plan.corrections.items():
            wanted.update(t for t, *_ in terms(c, lang))
        out = []
        for hit in results:
            fields = hit.fields()
            snip, section = snippet(fields.get("sections") or [], fields.get("summary") or "",
                                    wanted, lang)
            out.append({"id": fields["id"], "path": fields["path"], "title": fields["title"],
                        "url": fields["url"], "score": round(float(hit.score), 4),
                        "snippet": snip, "section": section})
        return {"results": out, "total": len(results), "suggestion": suggestion}


def _apply(text: str, corrections: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        w = m.group(0)
        fixed = corrections.get(w.lower())
        if fixed is None:
            return w
        return fixed.capitalize() if w[:1].isupper() else fixed

    return re.sub(r"[^\W_]+", repl, text)


def term_counts(text: str, lang: str) -> Counter:
    return Counter(t for t, *_ in terms(text, lang))
