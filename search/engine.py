"""Querying: analysis in the reader's language, BM25F with field boosts, phrase and
proximity bonuses, typo correction with "did you mean", snippets.

User input never goes through a query language: the text is analysed into terms and the
query is assembled from Whoosh query objects, so no input can be a syntax error.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from whoosh import query as Q
from whoosh import scoring

from . import synonyms
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
    corrected: float = 0.9  # weight of the corrected query next to the typed one
    synonym: float = 0.7  # weight of a synonym next to the word typed


DEFAULT_RANKING = Ranking()


def _weighting(r: Ranking) -> scoring.BM25F:
    per_field = {}
    for lang in LANGS:
        per_field[f"title_{lang}_B"] = r.title_b
        per_field[f"keys_{lang}_B"] = r.keys_b
        per_field[f"body_{lang}_B"] = r.body_b
    return scoring.BM25F(B=r.body_b, K1=r.k1, **per_field)


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
    def corrections(self, text: str, lang: str) -> dict[str, str]:
        """Typed word -> the known word it most likely meant, for unknown words."""
        fixes: dict[str, str] = {}
        corrector = self.corrector(lang)
        for w in dict.fromkeys(words(text)):
            if not corrector.known(w):
                fixed = corrector.correct(w)
                if fixed:
                    fixes[w] = fixed
        return fixes

    def _term_clause(self, term: str, lang: str, boost: float = 1.0) -> Q.Query:
        r = self.ranking
        return Q.Or([Q.Term(f"title_{lang}", term, boost=r.title * boost),
                     Q.Term(f"keys_{lang}", term, boost=r.keys * boost),
                     Q.Term(f"body_{lang}", term, boost=r.body * boost)])

    def _terms_clause(self, seq: tuple[str, ...], lang: str, boost: float = 1.0) -> Q.Query:
        """One term, or a phrase of several (a multi-word synonym) in any field."""
        if len(seq) == 1:
            return self._term_clause(seq[0], lang, boost)
        r = self.ranking
        return Q.Or([Q.Phrase(f"title_{lang}", list(seq), slop=2, boost=r.title * boost),
                     Q.Phrase(f"keys_{lang}", list(seq), slop=2, boost=r.keys * boost),
                     Q.Phrase(f"body_{lang}", list(seq), slop=2, boost=r.body * boost)])

    def build_query(self, text: str, lang: str, boost: float = 1.0) -> Q.Query | None:
        """Every query word (with its synonyms) as an optional clause; documents matching
        more of them, and matching them as a phrase or close together, score higher."""
        r = self.ranking
        found = terms(text, lang)
        seq = list(dict.fromkeys(t for t, *_ in found))
        if not seq:
            return None
        units: list[Q.Query] = []
        used: set[str] = set()
        for span in synonyms.find(text, lang):
            inside = list(dict.fromkeys(t for t, p, *_ in found if span.start <= p < span.end))
            if not inside:
                continue
            used.update(inside)
            alts = [self._terms_clause(a, lang, r.synonym) for a in span.alternatives]
            units.append(Q.Or([self._term_clause(t, lang) for t in inside] + alts))
        units.extend(self._term_clause(t, lang) for t in seq if t not in used)
        if len(seq) > 1:
            units.append(Q.Phrase(f"title_{lang}", seq, slop=3, boost=r.phrase_title))
            units.append(Q.Phrase(f"body_{lang}", seq, slop=4, boost=r.phrase_body))
            units.append(Q.Phrase(f"keys_{lang}", seq, slop=3, boost=r.phrase_body))
            for a, b in zip(seq, seq[1:], strict=False):
                if a != b:
                    units.append(Q.Phrase(f"body_{lang}", [a, b], slop=3, boost=r.near_body))
        return Q.Or(units, scale=r.coord, boost=boost)

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
        corrections = self.corrections(text, lang)
        suggestion = None
        q = self.build_query(text, lang)
        if corrections:
            fixed_text = _apply(text, corrections)
            fq = self.build_query(fixed_text, lang)
            typed = self._run(q, 1)
            fixed = self._run(fq, 1)
            typed_best = typed[0].score if typed is not None and len(typed) else 0.0
            fixed_best = fixed[0].score if fixed is not None and len(fixed) else 0.0
            if fixed_best > typed_best:
                suggestion = fixed_text
            if fq is not None:
                fq.boost = self.ranking.corrected
                q = Q.Or([q, fq]) if q is not None else fq
        results = self._run(q, limit)
        if results is None:
            return {**empty, "suggestion": suggestion}
        wanted = {t for t, *_ in terms(text, lang)}
        if corrections:
            wanted.update(t for t, *_ in terms(" ".join(corrections.values()), lang))
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

