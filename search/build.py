"""The search step of a build: index the articles, embed them when a model is set, publish.

``kb build``, ``kb serve`` and ``kb search reindex`` all come here with the same documents
(the articles the site shows, at the URLs it gives them) and the same working index, so an
index is the same whichever command wrote it. Nothing here knows MkDocs: the adapter in
``kb.plugin.search`` turns a build's pages into :class:`~kb.search.documents.SearchDoc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb.search.documents import SearchDoc
from kb.search.index import UpdateResult, clear_vectors, publish, update_index

from kb.core.errors import ConfigError

if TYPE_CHECKING:
    from kb.search.semantic import Progress
    from kb.search.vectors import VectorResult

MULTILINGUAL_VOCAB = 60_000  # English BERT vocabularies have ~30k pieces, multilingual ones 100k+


class SearchModelError(ConfigError):
    """The ``search_model`` folder cannot be loaded or used."""


@dataclass
class SearchBuildResult:
    index: UpdateResult
    vectors: VectorResult | None = None  # None: no model, no vectors
    published: Path | None = None  # the generation written into the site, if any
    warnings: list[str] = field(default_factory=list)


def build_search(
    documents: Sequence[SearchDoc],
    index_dir: str | Path,
    *,
    site_dir: str | Path | None = None,
    synonyms: str | Path | None = None,
    builtin_synonyms: bool = True,
    model: str | Path | None = None,
    model_name: str | None = None,
    fresh: bool = False,
    progress: Progress | None = None,
) -> SearchBuildResult:
    """Bring the working index in ``index_dir`` in line with ``documents`` (only what
    changed, or everything with ``fresh``), embed the changed articles with ``model`` (or
    drop the vectors when there is none), and publish the result into ``site_dir`` when
    given. ``model_name`` is the setting as written, for messages; ``progress(done, total)``
    follows the embedding. Raises SearchIndexError or SearchModelError."""
    work = Path(index_dir)
    docs = list(documents)
    result = SearchBuildResult(update_index(work, docs, fresh=fresh))
    if model is None:
        clear_vectors(work)
    else:
        # numpy and the encoder load only when a model is configured: a words-only build
        # (the default) never pays for them.
        from kb.search import vectors

        name = model_name or str(model)
        try:
            encoder = vectors.load_encoder(model)
            result.vectors = vectors.update_vectors(work, docs, model, encoder, progress=progress)
        except Exception as exc:  # noqa: BLE001 - a model problem names the setting, not a trace
            raise SearchModelError(f"search_model '{name}': {exc}") from None
        result.warnings += _model_warnings(docs, getattr(encoder, "vocab_size", 0), name)
    if site_dir is not None:
        result.published = publish(
            work, site_dir, synonyms=synonyms, builtin_synonyms=builtin_synonyms
        )
    return result


def _model_warnings(docs: list[SearchDoc], vocab: int, name: str) -> list[str]:
    """An English-only model ranks articles in other languages worse, not better."""
    others = sorted({d.lang for d in docs} - {"en"})
    if not others or not 0 < vocab < MULTILINGUAL_VOCAB:
        return []
    return [
        f"search_model '{name}' has a {vocab}-word vocabulary: it looks English-only, and "
        f"ranks articles in {', '.join(others)} worse, not better; use a multilingual model "
        "(docs/search.md, 'Search by meaning')"
    ]
