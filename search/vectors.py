"""Semantic re-ranking: sentence embeddings of the articles, fused with the word ranking.

Words alone miss a customer who describes the problem in other words ("get my money back"
for "Request a refund"). With ``search_model`` set to a local sentence-transformers model
folder, each build embeds every changed article (title, summary and the start of the body)
and the published index carries the vectors. A search then embeds the query and re-orders
the word search's best candidates by reciprocal rank fusion of the two rankings.

Only candidates the word search found are re-ordered, so a query that matches nothing still
finds nothing (and is still logged as a search without a result), and ``total`` keeps its
meaning. Nothing leaves the machine: the model is read from a folder, never downloaded.

Layout, in the working index folder (so :func:`search.index.publish` carries them)::

    vectors.npy    float32 (articles, dim), L2-normalised, in the order of vectors.json's ids
    vectors.json   {"model", "digest", "dim", "ids", "fps"}
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from kb.search.documents import SearchDoc
from kb.search.index import VECTOR_MATRIX as MATRIX
from kb.search.index import VECTOR_META as META
from kb.search.index import SearchIndexError, current_dir, generation_dir
from kb.search.semantic import Encoder, Progress

from kb.core import atomic

log = logging.getLogger("kb.search")

POOL = 50  # word-search candidates re-ordered by meaning
EXTRA = 3  # articles meaning may add that no word found (see Reranker.rerank)
RRF_K = 60  # reciprocal rank fusion's constant, as in Cormack et al. (2009); not tuned
BODY_CHARS = 1000
ENV = "KB_SEARCH_MODEL"  # the model folder where the API runs, when it differs from the build's


def text_for(doc: SearchDoc) -> str:
    """What an article's vector is made of: its title, its summary (unless that is just the
    body's first lines) and the start of its body (models read a few hundred words)."""
    summary = doc.summary or ""
    if summary and doc.body_text.lstrip().startswith(summary[:40]):
        summary = ""
    return " ".join(p for p in (f"{doc.title}.", summary, doc.body_text[:BODY_CHARS]) if p)


_ENCODERS: dict[str, object] = {}
_ENCODERS_LOCK = threading.Lock()


def load_encoder(folder: str | Path):
    """The encoder of a model folder, loaded once per process (the weights are large)."""

    key = str(Path(folder).resolve())
    with _ENCODERS_LOCK:
        enc = _ENCODERS.get(key)
        if enc is None:
            enc = _ENCODERS[key] = Encoder.load(key)
        return enc


def site_encoder(site_dir: str | Path):
    """The encoder the built site's search uses (the model its vectors were made with, or
    ``KB_SEARCH_MODEL``), or None when search by meaning is off there or the model cannot be
    loaded: callers then work on words alone."""
    try:
        meta = _read_meta(current_dir(site_dir))
    except SearchIndexError:
        return None
    model = os.environ.get(ENV) or meta.get("model")
    if not model:
        return None
    try:
        enc = load_encoder(model)
    except Exception as exc:  # noqa: BLE001 - the caller keeps working on words alone
        log.warning("cannot load the search model %s: %s", model, exc)
        return None
    return enc if enc.digest == meta.get("digest") else None


@dataclass
class VectorResult:
    encoded: int = 0
    reused: int = 0
    seconds: float = 0.0


def _read_meta(work: Path) -> dict:
    try:
        return json.loads((work / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(work: Path, matrix: np.ndarray, meta: dict) -> None:
    """New files replace the old ones (never rewritten in place: published generations
    hold hard links to the old ones)."""
    atomic.replace(work / MATRIX, lambda fh: np.save(fh, matrix))
    atomic.write_json(work / META, meta)


def update_vectors(
    work: str | Path,
    docs: list[SearchDoc],
    model: str | Path,
    encoder=None,
    progress: Progress | None = None,
) -> VectorResult:
    """Embed the articles whose text changed since the last build (by fingerprint), reuse
    the others' vectors, and write the set for ``publish`` to carry. ``progress(done, total)``
    follows the embedding, article by article."""
    start = time.perf_counter()
    work = Path(work)
    enc = encoder or load_encoder(model)
    old = _read_meta(work)
    reuse: dict[str, tuple[str, np.ndarray]] = {}  # id -> (fingerprint, vector)
    if old.get("digest") == enc.digest:
        try:
            mat = np.load(work / MATRIX)
            reuse = {
                i: (fp, mat[k])
                for k, (i, fp) in enumerate(zip(old["ids"], old["fps"], strict=True))
            }
        except (OSError, ValueError, KeyError, IndexError):
            reuse = {}
    todo = [d for d in docs if reuse.get(d.key, ("",))[0] != d.fingerprint]
    prefix = enc.prompts.get("passage") or enc.prompts.get("document") or ""
    texts = [prefix + text_for(d) for d in todo]
    if not todo:
        fresh = None
    elif progress is None:  # any encoder: encode(texts) is all it needs
        fresh = enc.encode(texts)
    else:
        fresh = enc.encode(texts, progress=progress)
    new = {d.key: fresh[k] for k, d in enumerate(todo)}
    matrix = np.zeros((len(docs), enc.dim), dtype=np.float32)
    for k, d in enumerate(docs):
        matrix[k] = new[d.key] if d.key in new else reuse[d.key][1]
    _write(
        work,
        matrix,
        {
            "model": str(Path(model).resolve()),
            "digest": enc.digest,
            "dim": enc.dim,
            "ids": [d.key for d in docs],
            "fps": [d.fingerprint for d in docs],
        },
    )
    return VectorResult(
        encoded=len(todo), reused=len(docs) - len(todo), seconds=time.perf_counter() - start
    )


class Reranker:
    """The vectors of one published generation, by Whoosh document number."""

    def __init__(self, encoder, by_docnum: np.ndarray, present: dict[str, np.ndarray]) -> None:
        self.encoder = encoder
        self.by_docnum = by_docnum
        self.present = present  # lang -> which documents of that language have a vector

    @classmethod
    def for_index(cls, ix, encoder=None) -> Reranker | None:
        """None when the generation has no vectors, or the model cannot be loaded or is
        not the one the vectors were made with (a warning says why)."""
        folder = generation_dir(ix)
        if folder is None or not (folder / META).is_file():
            return None
        meta = _read_meta(folder)
        model = os.environ.get(ENV) or meta.get("model")
        try:
            enc = encoder or load_encoder(model)
        except Exception as exc:  # noqa: BLE001 - search keeps working on words alone
            log.warning("search: semantic re-ranking off: cannot load the model %s: %s", model, exc)
            return None
        if enc.digest != meta.get("digest"):
            log.warning(
                "search: semantic re-ranking off: the model in %s is not the one the "
                "index was built with; run 'kb build'",
                model,
            )
            return None
        matrix = np.load(folder / MATRIX, mmap_mode="r")
        with ix.searcher() as s:
            n = s.reader().doc_count_all()
            docs = {f.get("key", f["id"]): (d, f.get("lang")) for d, f in s.reader().iter_docs()}
        by_docnum = np.zeros((n, matrix.shape[1]), dtype=np.float32)
        present: dict[str, np.ndarray] = {}
        for k, i in enumerate(meta.get("ids", [])):
            d, lang = docs.get(i, (None, None))
            if d is not None:
                by_docnum[d] = matrix[k]
                present.setdefault(lang, np.zeros(n, dtype=bool))[d] = True
        return cls(enc, by_docnum, present)

    def query_vector(self, text: str) -> np.ndarray:
        prefix = self.encoder.prompts.get("query", "")
        return self.encoder.encode([prefix + text])[0]

    def rerank(
        self, text: str, lang: str, ranked: list[tuple[int, float]]
    ) -> tuple[list[tuple[int, float]], int]:
        """``ranked`` (docnum, score) from the word search, best first -> the fused order
        (score: higher is better, comparable within one answer only), and how many articles
        meaning added.

        Meaning may add up to ``EXTRA`` articles the words did not find, but only those
        closer to the query than every word candidate ("the card was refused" finds
        "Payment declined" although no word matches), and never to an empty answer."""
        if not ranked:
            return ranked, 0
        present = self.present.get(lang)
        if present is None:
            return ranked, 0
        qv = self.query_vector(text)
        docs = [d for d, _ in ranked]
        cos = self.by_docnum @ qv
        cos[~present] = -2.0  # no vector (or another language): last by meaning
        best_found = float(cos[docs].max())
        found = np.zeros(len(cos), dtype=bool)
        found[docs] = True
        closer = np.flatnonzero((cos > best_found) & ~found)
        extra = closer[np.argsort(-cos[closer], kind="stable")][:EXTRA].tolist()
        pool = docs + extra
        by_meaning = {d: r for r, d in enumerate(sorted(pool, key=lambda d: -cos[d]))}
        fused = {
            d: 1.0 / (RRF_K + 1 + k) + 1.0 / (RRF_K + 1 + by_meaning[d]) for k, d in enumerate(pool)
        }  # an added article ranks after the words'
        order = sorted(range(len(pool)), key=lambda k: (-fused[pool[k]], k))
        return [(pool[k], round(fused[pool[k]] * 1000, 4)) for k in order], len(extra)
