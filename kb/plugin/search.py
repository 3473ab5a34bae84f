"""kb's build, seen from search: the adapter between MkDocs and the search step.

It turns a build's article pages into search documents, hands them to the one search step
(:func:`kb.search.build.build_search`) after every build (``kb build``, ``kb serve``) and for
``kb search reindex``, and gives each article page its related articles. What one build
computes once for all its pages lives in :class:`SearchState`, which the plugin owns
(``plugin.search_state``). Registered in kb.plugin; everything in kb.search knows nothing
of MkDocs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.structure.files import get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb.core.errors import ConfigError, KbError
from kb.core.translations import text_key
from kb.plugin.builder import load_project_config
from kb.search.build import SearchBuildResult, SearchModelError, build_search
from kb.search.documents import SearchDoc, from_article
from kb.search.index import SearchIndexError, update_index
from kb.search.related import related
from kb.search.settings import builtin_synonyms, index_dir, model_dir, synonyms_dir

if TYPE_CHECKING:  # the alias only: kb.search.semantic loads numpy
    from kb.search.semantic import Progress as ProgressCallback

log = logging.getLogger("mkdocs.plugins.kb.search")


class SearchState:
    """Search's part of the plugin: what one build computed once for all its pages, and what
    ``kb serve`` keeps from one rebuild to the next."""

    def __init__(self) -> None:
        self.hc = None  # the help center the per-build fields below belong to
        self.docs: list[SearchDoc] | None = None
        self.related: dict[str, list[str]] | None = None
        self.by_id: tuple[list, dict[str, SearchDoc]] | None = None  # (docs, key -> doc), once
        # kb serve: id(article) -> (article, url, search document) of the last build, and
        # (article ids, related articles) of the last build that computed them
        self.serve_docs: dict[int, tuple] = {}
        self.serve_related: tuple[frozenset, dict[str, list[str]]] | None = None

    def for_build(self, hc) -> SearchState:
        """This state, emptied of the last build's results when ``hc`` is a new build's."""
        if hc is not self.hc:
            self.hc, self.docs, self.related, self.by_id = hc, None, None, None
        return self


def state(plugin) -> SearchState:
    return plugin.search_state.for_build(plugin.hc)


def documents(plugin) -> list[SearchDoc]:
    """Every article the site shows, at the URL the build gives it."""
    current = state(plugin)
    if current.docs is None:
        languages = plugin.hc.languages
        current.docs = [
            from_article(item.article, item.url, text_key(item.article, languages))
            for info in plugin.nav_info.values()
            for item in info.items
        ]
    return current.docs


# -- build hooks (registered in kb.plugin) ---------------------------------------------------


def prepare(plugin, config: MkDocsConfig) -> None:
    """The search documents (every article's text, sections and fingerprint), computed before
    the fork: the child (related articles, index) and the parent (related links, index check)
    both use them."""
    if plugin.config.search:
        documents(plugin)


def related_articles(plugin, config: MkDocsConfig) -> dict[str, list[str]] | None:
    """Related articles (a few seconds for thousands of articles), computed in the child
    while the parent renders Markdown; the parent takes them at its first article page."""
    limit = plugin.config.related_articles
    if not plugin.config.search or not limit or plugin.keeps_site:  # not shown on such a site
        return None
    return related(documents(plugin), limit)


def head_start(plugin, config: MkDocsConfig) -> None:
    """A first build's search index (its slow part: every article indexed) written while the
    pages render; the search step after the build then finds it up to date. Later builds
    update the index incrementally after the build, as usual."""
    work = index_dir(config)
    if not plugin.config.search or work.exists():
        return
    update_index(work, documents(plugin))


def page_context(plugin, page, kb: dict) -> None:
    """Add ``kb["related"]``: ``[{"title", "url"}]`` for an article page."""
    limit = plugin.config.related_articles
    if kb.get("kind") != "article" or not limit or not plugin.config.search:
        return
    if kb.get("structure") == "site":  # the site's own templates show no related articles
        return
    current = state(plugin)
    if current.related is None and plugin._background.pid is not None:
        current.related = plugin._background.get(related_articles)  # None: computed here
    if plugin.command == "serve":
        _serve_state(plugin, current)
    docs = documents(plugin)
    if current.related is None:
        current.related = related(docs, limit)
    if current.by_id is None or current.by_id[0] is not docs:
        current.by_id = (docs, {d.key: d for d in docs})
    by_key = current.by_id[1]
    article = kb.get("article")
    kb["related"] = [
        {"title": by_key[k].title, "url": by_key[k].url}
        for k in current.related.get(text_key(article, plugin.hc.languages), [])
        if k in by_key
    ]
    if plugin.command == "serve":
        current.serve_related = (frozenset(d.key for d in docs), current.related)


def _serve_state(plugin, current: SearchState) -> None:
    """kb serve rebuilds after every save and renders only the changed pages: the search
    documents of unchanged articles (the same objects, from the article cache) are reused,
    and so are the related articles while no article is added or removed. The page being
    edited may show the related articles of its previous text; ``kb build`` is exact."""
    kept = plugin.search_state
    if current.docs is None:
        fresh, docs = {}, []
        for info in plugin.nav_info.values():
            for item in info.items:
                hit = kept.serve_docs.get(id(item.article))
                if hit is not None and hit[0] is item.article and hit[1] == item.url:
                    doc = hit[2]
                else:
                    doc = from_article(
                        item.article, item.url, text_key(item.article, plugin.hc.languages)
                    )
                fresh[id(item.article)] = (item.article, item.url, doc)
                docs.append(doc)
        kept.serve_docs, current.docs = fresh, docs
    if current.related is None and kept.serve_related is not None:
        ids, value = kept.serve_related
        if ids == frozenset(d.key for d in current.docs):
            current.related = value


def post_build(plugin, config: MkDocsConfig) -> None:
    """The search step after every build: the index, the vectors, published into the site."""
    if not plugin.config.search or plugin.hc is None:
        return
    try:
        run(config, documents(plugin), site_dir=Path(config.site_dir))
    except SearchModelError as exc:  # names the setting
        raise PluginError(exc.format_message()) from None
    except SearchIndexError as exc:
        raise PluginError(f"search index: {exc.format_message()}") from None


# -- the search step, for a loaded project ---------------------------------------------------


def run(
    config: MkDocsConfig,
    docs: list[SearchDoc],
    *,
    site_dir: Path | None,
    fresh: bool = False,
    progress: ProgressCallback | None = None,
) -> SearchBuildResult:
    """The search step with the project's settings (index folder, synonyms, model), logged;
    the embedding shows a progress bar on a terminal unless ``progress`` is given."""
    kb = config.plugins.get("kb")
    with embedding_progress() as bar:
        result = build_search(
            docs,
            index_dir(config),
            site_dir=site_dir,
            synonyms=synonyms_dir(config),
            builtin_synonyms=builtin_synonyms(config),
            model=model_dir(config),
            model_name=kb.config.search_model if kb is not None else None,
            fresh=fresh,
            progress=progress or bar,
        )
    if result.vectors is not None:
        done = result.vectors
        log.info(
            "Search vectors: %d embedded, %d unchanged in %.2f s",
            done.encoded,
            done.reused,
            done.seconds,
        )
    for warning in result.warnings:
        log.warning("%s", warning)
    done_index = result.index
    log.info(
        "Search index: %d added, %d updated, %d removed, %d unchanged in %.2f s",
        done_index.added,
        done_index.updated,
        done_index.removed,
        done_index.unchanged,
        done_index.seconds,
    )
    return result


@contextmanager
def embedding_progress(stream: IO[str] | None = None) -> Iterator[ProgressCallback | None]:
    """A progress bar for search by meaning's embedding, drawn on ``stream`` (stderr) when it
    is a terminal and removed when done; None (nothing drawn) otherwise."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not callable(isatty) or not isatty():
        yield None
        return
    bar = Progress(
        TextColumn("Embedding articles"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
    )
    task = bar.add_task("embed", total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


def reindex(
    config_file: str | Path, *, site_dir: str | Path | None = None, full: bool = False
) -> tuple[SearchBuildResult, Path]:
    """``kb search reindex``: the search step of a build without rendering a page. The
    project is loaded and its plugins run up to the navigation, as ``kb build`` does, so the
    documents, their URLs and the index folder are the build's. Publishes into the site
    when it exists; returns the result and the site folder."""
    config = load_project_config(config_file)
    plugin = config.plugins.get("kb")
    if plugin is None or not plugin.config.enabled or not plugin.config.search:
        raise ConfigError(f"{config_file}: search is off (the kb plugin's 'search' setting)")
    target = Path(site_dir or config.site_dir)
    config.plugins.on_startup(command="reindex", dirty=False)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        files.add_files_from_theme(config.theme.get_env(), config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        config.plugins.on_nav(nav, config=config, files=files)
        docs = documents(plugin)
    except (PluginError, Abort) as exc:
        raise KbError(str(exc)) from None
    finally:
        config.plugins.on_shutdown()
    result = run(config, docs, site_dir=target if target.is_dir() else None, fresh=full)
    return result, target
