"""kb's build, seen from search: index the articles after the build, and give each
article page its related articles. Registered in kb.plugin (page_context_hooks and
post_build_hooks); everything else in search/ knows nothing of MkDocs."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb.search_checks import builtin_synonyms, model_dir, project_dir, synonyms_dir

from . import vectors
from .documents import SearchDoc, from_article
from .index import SearchIndexError, publish, update_index
from .related import related

log = logging.getLogger("mkdocs.plugins.kb.search")
WORK_DIR = Path(".kb") / "search-index"
MULTILINGUAL_VOCAB = 60_000  # English BERT vocabularies have ~30k pieces, multilingual ones 100k+


class _BuildState:
    """What one build computed once for all its pages."""

    def __init__(self, hc) -> None:
        self.hc = hc
        self.docs: list[SearchDoc] | None = None
        self.related: dict[str, list[str]] | None = None
        self.by_id: tuple[list, dict[str, SearchDoc]] | None = None  # (docs, id -> doc), once


def _state(plugin) -> _BuildState:
    state = getattr(plugin, "_kb_search", None)
    if state is None or state.hc is not plugin.hc:
        state = plugin._kb_search = _BuildState(plugin.hc)
    return state


def documents(plugin) -> list[SearchDoc]:
    state = _state(plugin)
    if state.docs is None:
        state.docs = [from_article(item.article, item.url)
                      for info in plugin.nav_info.values() for item in info.items]
    return state.docs


def work_dir(config) -> Path:
    """The working index, kept between builds: <project>/.kb/search-index."""
    return project_dir(config) / WORK_DIR


def page_context(plugin, page, kb: dict) -> None:
    """Add ``kb["related"]``: ``[{"title", "url"}]`` for an article page."""
    limit = plugin.config.related_articles
    if kb.get("kind") != "article" or not limit or not plugin.config.search:
        return
    state = _state(plugin)
    docs = documents(plugin)
    if state.related is None:
        state.related = related(docs, limit)
    if state.by_id is None or state.by_id[0] is not docs:
        state.by_id = (docs, {d.id: d for d in docs})
    by_id = state.by_id[1]
    article = kb.get("article")
    kb["related"] = [{"title": by_id[i].title, "url": by_id[i].url}
                     for i in state.related.get(article.id, []) if i in by_id]


def _vectors(plugin, config, work: Path) -> None:
    """Embed the changed articles with the project's model (search/vectors.py), or drop the
    vectors when no model is set."""
    folder = model_dir(config)
    if folder is None:
        vectors.clear(work)
        return
    model = plugin.config.search_model
    docs = documents(plugin)
    try:
        encoder = vectors.load_encoder(folder)
        done = vectors.update_vectors(work, docs, folder, encoder)
    except Exception as exc:  # noqa: BLE001 - a model problem names the setting, not a trace
        raise PluginError(f"search_model '{model}': {exc}") from None
    vocab = getattr(encoder, "vocab_size", 0)
    log.info("Search vectors: %d embedded, %d unchanged in %.2f s",
             done.encoded, done.reused, done.seconds)
    others = sorted({d.lang for d in docs} - {"en"})
    if others and 0 < vocab < MULTILINGUAL_VOCAB:
        log.warning("search_model '%s' has a %d-word vocabulary: it looks English-only, and "
                    "ranks articles in %s worse, not better; use a multilingual model "
                    "(docs/search.md, 'Search by meaning')", model, vocab, ", ".join(others))


def post_build(plugin, config) -> None:
    """Update the working index incrementally and publish it into the built site."""
    if not plugin.config.search or plugin.hc is None:
        return
    work = work_dir(config)
    try:
        result = update_index(work, documents(plugin))
        _vectors(plugin, config, work)
        publish(work, config.site_dir, synonyms=synonyms_dir(config),
                builtin_synonyms=builtin_synonyms(config))
    except SearchIndexError as exc:
        raise PluginError(f"search index: {exc}") from None
    log.info("Search index: %d added, %d updated, %d removed, %d unchanged in %.2f s",
             result.added, result.updated, result.removed, result.unchanged, result.seconds)
