"""Querying: analysis in the reader's language, BM25F with field boosts, phrase and
proximity bonuses, typo correction with "did you mean", snippets.

User input never goes through a query language: the text is analysed into terms, so no
input can be a syntax error. Scoring is :mod:`search.scoring` over Whoosh's postings; the
best candidates then get the phrase/proximity bonus of :mod:`search.proximity`.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

import numpy as np
from kb.search import proximity, synonyms
from kb.search.analysis import _PARTS, LANGS, NUMBER_WORDS, stopwords, terms, words
from kb.search.index import generation_dir
from kb.search.scoring import Alternative, Scorer, Unit
from kb.search.snippets import snippet
from kb.search.spelling import Corrector
from kb.search.vectors import POOL, Reranker

MAX_QUERY = 200  # characters; longer input is cut
MAX_LIMIT = 50
CANDIDATES = 20  # documents that get phrase/proximity bonuses
STORED_CACHE = 20_000  # documents whose stored fields stay in memory
# An article with no text in the reader's language is still found by a query in that
# language, analysed as its own language's words (product and technical terms are shared);
# its score is weighed by this, and an equally good article in the reader's language comes
# first. On the Adobe Commerce KB (benchmarks/bench_languages.py) 0.8 put 70 % of such
# articles in the top 5 and 1.0 75 %, both keeping every Italian article where it was.
CROSS_WEIGHT = 1.0


@dataclass(frozen=True)
class Ranking:
    """The knobs of ranking, in one place (benchmarks/search_eval measures them)."""

    title: float = 5.0
    keys: float = 2.5
    body: float = 1.0
    title_b: float = 0.8
    keys_b: float = 0.6
    body_b: float = 0.75
    k1: float = 1.2
    coord: float = 0.7  # exponent of the share of query words matched
    phrase_title: float = 4.0
    phrase_body: float = 1.5
    near_body: float = 0.6  # two neighbouring query words close together
    run_body: float = 2.0  # the longest stretch (3+ words) of the query found in order
    corrected: float = 0.9  # weight of a spelling correction next to the typed word
    synonym: float = 0.7  # weight of a synonym next to the word typed
    title_cover: float = 1.0  # score x (1 + this x share of the title's words asked for)


DEFAULT_RANKING = Ranking()


def fields_for(lang: str) -> tuple[str, str, str]:
    return (f"title_{lang}", f"keys_{lang}", f"body_{lang}")


class SearchEngine:
    """Search one opened Whoosh index. Thread-safe."""

    def __init__(self, ix, ranking: Ranking = DEFAULT_RANKING) -> None:
        self.ix = ix
        self.ranking = ranking
        self._local = threading.local()
        self._lock = threading.RLock()
        self._correctors: dict[str, Corrector] = {}
        self._scorer: Scorer | None = None
        self._stored: dict[int, dict] = {}
        self._opened: list = []  # every searcher opened, to close them all
        self._untranslated: dict[str, dict[str, np.ndarray]] = {}  # see untranslated()
        with ix.searcher() as s:
            self.doc_counts = {lang: s.doc_frequency("lang", lang) for lang in LANGS}
        self.default_lang = max(LANGS, key=lambda lang: self.doc_counts.get(lang, 0))
        # the built-in synonyms and the groups the published generation carries
        self.thesaurus = synonyms.for_generation(generation_dir(ix))
        self.reranker = Reranker.for_index(ix)  # None unless the build made vectors

    # -- resources -----------------------------------------------------------------------
    def searcher(self):
        """This thread's Whoosh searcher (readers are not shared between threads)."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
            with self._lock:
                self._opened.append(s)
        return s

    def stored(self, docnum: int) -> dict:
        """A document's stored fields, through a bounded cache (they are read-only)."""
        fields = self._stored.get(docnum)
        if fields is None:
            fields = self.searcher().stored_fields(docnum)
            with self._lock:
                if len(self._stored) >= STORED_CACHE:
                    self._stored.pop(next(iter(self._stored)))
                self._stored[docnum] = fields
        return fields

    def _directory(self) -> dict:
        """This thread's posting matchers and block directories (search.proximity)."""
        d = getattr(self._local, "directory", None)
        if d is None or len(d) > 20_000:
            d = self._local.directory = {}
        return d

    @property
    def scorer(self) -> Scorer:
        with self._lock:
            if self._scorer is None or self._scorer.r is not self.ranking:
                searcher = self._scorer.searcher if self._scorer else self.ix.searcher()
                self._scorer = Scorer(
                    searcher, self.ranking, {lang: fields_for(lang) for lang in LANGS}
                )
            return self._scorer

    def warm(self) -> None:
        """Prepare what the first searches would otherwise wait for (best effort)."""
        try:
            for lang in LANGS:
                if self.doc_counts.get(lang):
                    self.corrector(lang)
                    self.scorer.warm(lang)
        except Exception:  # noqa: BLE001 - warming is an optimisation, never an error
            pass

    def corrector(self, lang: str) -> Corrector:
        with self._lock:
            c = self._correctors.get(lang)
            if c is None:
                reader = self.searcher().reader()
                field = f"words_{lang}"
                freq = {}
                if field in reader.indexed_field_names():
                    freq = {
                        t.decode() if isinstance(t, bytes) else t: ti.doc_frequency()
                        for t, ti in reader.iter_field(field)
                    }
                c = self._correctors[lang] = Corrector(freq)
            return c

    def close(self) -> None:
        """Close every searcher this engine opened (in any thread): only once no search can
        still be running on it (SearchService closes an engine one generation later)."""
        with self._lock:
            opened, self._opened = self._opened, []
            if self._scorer is not None:
                opened.append(self._scorer.searcher)
                self._scorer = None
        for s in opened:
            try:
                s.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    def untranslated(self, lang: str) -> dict[str, np.ndarray]:
        """``{other language: which of its documents are articles with no text in lang}``
        (translations share the article's id), for search across languages; empty in a
        one-language help center."""
        with self._lock:
            cached = self._untranslated.get(lang)
            if cached is not None:
                return cached
            others = [x for x in LANGS if x != lang and self.doc_counts.get(x)]
            out: dict[str, np.ndarray] = {}
            if others:
                reader = self.searcher().reader()
                n = reader.doc_count_all()
                in_lang = np.zeros(n, dtype=bool)
                if self.doc_counts.get(lang):
                    in_lang[list(reader.postings("lang", lang).all_ids())] = True
                translated = np.zeros(n, dtype=bool)  # documents of an article in lang
                for term, _info in reader.iter_field("id"):
                    text = term.decode() if isinstance(term, bytes) else term
                    docs = list(reader.postings("id", text).all_ids())
                    if in_lang[docs].any():
                        translated[docs] = True
                for other in others:
                    mask = np.zeros(n, dtype=bool)
                    mask[list(reader.postings("lang", other).all_ids())] = True
                    mask &= ~translated
                    if mask.any():
                        out[other] = mask
            self._untranslated[lang] = out
            return out

    def pick_lang(self, lang: str | None) -> str:
        if lang in LANGS and self.doc_counts.get(lang):
            return lang
        return self.default_lang

    # -- queries -------------------------------------------------------------------------
    def corrections(self, text: str, lang: str) -> dict[str, str]:
        """Typed word -> the known word it most likely meant, for unknown words."""
        fixes: dict[str, str] = {}
        corrector = self.corrector(lang)
        stops = stopwords(lang)
        for w in dict.fromkeys(words(text)):
            if not corrector.known(w) and not self._indexed_form(w, lang):
                fixed = corrector.correct(w)
                # a stop word changes no result, only the suggestion, and often wrongly:
                # "cant" is "can't", not "can"
                if fixed and fixed not in stops:
                    fixes[w] = fixed
        return fixes

    def _indexed_form(self, word: str, lang: str) -> bool:
        """Whether another form of ``word`` is in the articles ("bill" when they say
        "billing"): then it is a real word, not a typo, and is not "corrected" ("fill")."""
        found = terms(word, lang)
        if not found:
            return False
        searcher = self.searcher()
        return any(searcher.doc_frequency(f, found[0][0]) for f in fields_for(lang))

    def units(
        self, text: str, lang: str, corrections: dict[str, str] | None = None, typed: bool = True
    ) -> list[Unit]:
        """The query as units: each word with its synonyms (and spelling corrections)."""
        r = self.ranking
        found = terms(text, lang)
        fixes: dict[int, tuple[str, ...]] = {}
        if corrections:
            for pos, w in enumerate(_PARTS.findall(text)):
                fixed = corrections.get(w.lower())
                if fixed:
                    fixes[pos] = tuple(t for t, *_ in terms(fixed, lang))
        by_term: dict[str, Unit] = {}
        order: list[Unit] = []
        numbers = NUMBER_WORDS.get(lang, {})
        for t, pos, start, end in found:
            if t in by_term:
                continue
            unit = Unit()
            if typed or pos not in fixes:
                unit.alternatives.append(Alternative((t,), 1.0))
            digit = numbers.get(text[start:end].lower())
            if digit:  # "three" also finds "3"
                unit.alternatives.append(Alternative((digit,), 1.0))
            if pos in fixes and fixes[pos]:
                unit.alternatives.append(Alternative(fixes[pos], r.corrected if typed else 1.0))
            by_term[t] = unit
            order.append(unit)
        for span in self.thesaurus.find(text, lang):
            inside = list(dict.fromkeys(t for t, p, *_ in found if span.start <= p < span.end))
            # a synonym of several typed words ("two factor authentication" -> "2fa")
            # answers each of them: it counts for every word's unit (coordination), with
            # the synonym weight / sqrt(words), between one word's worth and all of theirs
            share = r.synonym / math.sqrt(len(inside)) if inside else 0.0
            for t in inside:
                by_term[t].alternatives.extend(Alternative(a, share) for a in span.alternatives)
        return [u for u in order if u.alternatives]

    def _ranked(
        self,
        units: list[Unit],
        seqs: list[list[str]],
        lang: str,
        limit: int,
        only: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, float]], int]:
        """The best ``limit`` documents (of ``only``'s, when given) and how many match."""
        scorer = self.scorer
        scores = scorer.score(units, lang)
        if only is not None:
            scores = np.where(only, scores, 0)
        total = int((scores > 0).sum())
        hits = scorer.top(scores, max(limit, CANDIDATES))
        extra: dict[int, float] = {}

        def holds(field: str, term: str):
            return scorer.postings(field, term)[0]

        searcher = self.searcher()
        for seq in seqs:
            for d, b in proximity.bonuses(
                searcher,
                lang,
                [d for d, _ in hits],
                seq,
                self.ranking,
                holds,
                self._directory(),
                self.stored,
            ).items():
                extra[d] = max(extra.get(d, 0.0), b)
        cover = self.ranking.title_cover
        share: dict[int, float] = {}
        if cover:
            asked = {t for u in units for a in u.alternatives for t in a.terms}
            searcher = self.searcher()
            field = f"title_{lang}"
            idf: dict[str, float] = {}
            for d, _s in hits:
                title = {t for t, *_ in terms(self.stored(d).get("title") or "", lang)}
                if title:
                    for t in title - idf.keys():
                        idf[t] = searcher.idf(field, t)
                    # words common to many titles ("Adobe Commerce") count less
                    share[d] = sum(idf[t] for t in title & asked) / sum(idf[t] for t in title)
        ranked = sorted(
            ((d, (s + extra.get(d, 0.0)) * (1 + cover * share.get(d, 0.0))) for d, s in hits),
            key=lambda h: -h[1],
        )
        return ranked[:limit], total

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
        seq = list(dict.fromkeys(t for t, *_ in terms(text, lang)))
        seqs = [seq]
        if corrections:
            fixed_text = _apply(text, corrections)
            scorer = self.scorer
            typed_best = float(scorer.score(self.units(text, lang), lang).max(initial=0))
            fixed_units = self.units(text, lang, corrections, typed=False)
            fixed_best = float(scorer.score(fixed_units, lang).max(initial=0))
            if fixed_best > typed_best:
                suggestion = fixed_text
            seqs.append(list(dict.fromkeys(t for t, *_ in terms(fixed_text, lang))))
        units = self.units(text, lang, corrections)
        if not units:
            return {**empty, "suggestion": suggestion}
        pool = max(limit, POOL) if self.reranker is not None else limit
        ranked, total = self._ranked(units, seqs, lang, pool)
        cross, cross_total = self._other_languages(text, lang, pool)
        if cross:  # merged by score: the reader's language first where it is as good
            ranked = sorted(ranked + cross, key=lambda h: -h[1])[:pool]
            total += cross_total
        if self.reranker is not None:  # re-ordered by meaning too
            ranked, added = self.reranker.rerank(suggestion or text, lang, ranked)
            ranked, total = ranked[:limit], total + added
        wanted = {lang: set(seq)}
        if corrections:
            wanted[lang].update(t for t, *_ in terms(" ".join(corrections.values()), lang))
        out = []
        for docnum, score in ranked:
            fields = self.stored(docnum)
            doc_lang = fields.get("lang") or lang
            if doc_lang not in wanted:  # an article found across languages
                wanted[doc_lang] = {t for t, *_ in terms(text, doc_lang)}
            snip, section = snippet(
                fields.get("sections") or [],
                fields.get("summary") or "",
                wanted[doc_lang],
                doc_lang,
            )
            out.append(
                {
                    "id": fields["id"],
                    "path": fields["path"],
                    "title": fields["title"],
                    "url": fields["url"],
                    "lang": fields.get("lang") or lang,
                    "score": round(score, 4),
                    "snippet": snip,
                    "section": section,
                }
            )
        return {"results": out, "total": total, "suggestion": suggestion}

    def _other_languages(
        self, text: str, lang: str, limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """Articles with no text in ``lang`` that the query finds in their own language's
        words: ``(docnum, score x CROSS_WEIGHT)``, best first, and how many match."""
        found: list[tuple[int, float]] = []
        total = 0
        scorer = self.scorer
        for other, only in self.untranslated(lang).items():
            # Only the words the other language's articles have count: the reader's own
            # words ("ripristinare") are in none of them, and would lower every score alike.
            fields = fields_for(other)
            units = [
                u
                for u in self.units(text, other)
                if any(
                    len(scorer.postings(f, t)[0])
                    for a in u.alternatives
                    for t in a.terms
                    for f in fields
                )
            ]
            if not units:
                continue
            seq = list(dict.fromkeys(t for t, *_ in terms(text, other)))
            ranked, n = self._ranked(units, [seq], other, limit, only)
            found += [(d, s * CROSS_WEIGHT) for d, s in ranked]
            total += n
        found.sort(key=lambda h: -h[1])
        return found[:limit], total


def _apply(text: str, corrections: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        w = m.group(0)
        fixed = corrections.get(w.lower())
        if fixed is None:
            return w
        return fixed.capitalize() if w[:1].isupper() else fixed

    return re.sub(r"[^\W_]+", repl, text)
