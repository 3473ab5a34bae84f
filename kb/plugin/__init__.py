"""The kb MkDocs plugin: a thin layer of events over kb's content model.

Registered as ``plugins: [kb]``; ``kb build`` and ``mkdocs build`` both go through it.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig, _AbsoluteLinksValidationValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kb import theme_dir
from kb.core import checks, containment, csp_sources, revisions
from kb.core.helpcenter import HelpCenter, load_help_center
from kb.core.i18n import (
    SITE_KEYS,
    STRINGS,
    format_date,
    language_problem,
    strings_problems,
    translator,
)
from kb.core.manifest import article_entry, write_manifest
from kb.core.markdown_compat import plain_inline, to_mkdocs
from kb.core.paths import display_dir, display_path
from kb.core.placement import Placement, question_set
from kb.core.translations import text_key
from kb.core.vocabulary import REASONS
from kb.plugin import csp as csp_step
from kb.plugin import languages as languages_step
from kb.plugin import meta
from kb.plugin import search as search_step
from kb.plugin.assets import SiteAssets
from kb.plugin.background import Background
from kb.plugin.compat import Partials, RootLinks, template_cache, write_redirects
from kb.plugin.config import KbConfig
from kb.plugin.fast_render import ConverterPool, renderer
from kb.plugin.progress import BuildProgress
from kb.plugin.site_mode import keeps_site, nav_titles, site_findings, site_main, site_nav_info
from kb.plugin.site_nav import (
    CATEGORY_TEMPLATE,
    HOME_TEMPLATE,
    build_nav,
    category_pages,
    generated_pages,
)
from kb.plugin.views import PageViews, category_pagination
from kb.search import settings as search_checks

log = logging.getLogger("mkdocs.plugins.kb")

# Markdown extensions kb's output relies on (alerts become admonitions, headings get ids).
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "toc")


class KbPlugin(BasePlugin[KbConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.hc: HelpCenter | None = None
        self.lang = "en"
        self.nav_info: dict = {}
        self.home: Page | None = None
        self.article_by_src: dict = {}
        self.category_by_src: dict = {}
        self.category_page_no: dict[str, int] = {}  # a long category's page src -> its number
        self.views: PageViews | None = None  # what the templates show, per build (views.py)
        # Kept between the builds of one process (kb serve): unchanged articles are not
        # parsed again and Material's templates are not compiled again.
        self.command = "build"
        self._article_cache: dict = {}  # docs_dir -> {path: (stamp, Article)}
        self._bytecode_caches: dict = {}  # project folder -> jinja2.BytecodeCache
        self._converters = ConverterPool()  # one Markdown converter per build, not per page
        self._render = renderer(self._converters)
        self._background = Background()
        self.search_state = search_step.SearchState()  # what search keeps (search.py)
        self.stubs: dict = {}  # redirect stubs' files, by path
        self.root_links: RootLinks | None = None
        self.partials: Partials | None = None
        self.progress = BuildProgress()  # on a terminal, for long builds (progress.py)
        self.keeps_site = False  # the site's own nav and Markdown are kept (site_mode.py)
        self.assets = SiteAssets()  # kb's minified, fingerprinted assets (assets.py)
        self.site_description = ""
        self.placement = Placement()  # where the widget goes, which questions (placement.py)
        # A help center in several languages (languages.py): made once per build in on_nav
        self.site_languages: languages_step.SiteLanguages | None = None
        self.docs_dir: Path | None = None
        self.project_dir: Path | None = None

    # -- configuration -------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this makes MkDocs keep one plugin instance for all the rebuilds of
        ``kb serve``/``mkdocs serve``, so the caches above last between them."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._converters.md = None  # a new configuration: its own converter
        self.keeps_site = keeps_site(self.config.structure, config.nav)
        # The pages' real language (their votes keep it); kb's words fall back to English.
        theme_lang = str(config.theme.get("language") or "en")
        self.lang = str(self.config.lang or theme_lang).strip().lower()
        if self.config.languages:  # the default language is the first
            self.lang = str(self.config.languages[0]).strip().lower()
        problems = strings_problems(self.config.strings)
        problems += csp_sources.setting_problems(self.config.csp.sources)
        if problems:
            where = display_path(config.config_file_path)
            raise PluginError("\n".join(f"{where}: {p}" for p in problems))
        keys = SITE_KEYS if self.keeps_site else tuple(STRINGS["en"])
        for lang in self.config.languages or [self.lang]:
            problem = language_problem(str(lang).lower(), self.config.strings, keys)
            if problem:  # kb check warns; a build (also --strict) goes on, in English
                log.info("kb: %s", problem)
        self.site_description = str(config.site_description or "")
        self.placement = Placement(
            enabled=self.config.feedback,
            include=tuple(self.config.feedback_include),
            exclude=tuple(self.config.feedback_exclude),
            short=tuple(self.config.short_questions),
        )
        # kb's templates go after the project's own custom_dir and before Material's.
        dirs = config.theme.dirs
        position = 1 if config.theme.custom_dir else 0
        if str(theme_dir()) not in dirs:
            dirs.insert(position, str(theme_dir()))
        if not self.keeps_site:  # a site kb does not own renders its Markdown as it did
            for ext in REQUIRED_EXTENSIONS:
                if ext not in config.markdown_extensions:
                    config.markdown_extensions.append(ext)
            # Knowledge bases link from the site root ("/help/x.md"): resolve those in docs.
            config.validation.links.absolute_links = _AbsoluteLinksValidationValue.RELATIVE_TO_DOCS
        config.extra.setdefault("kb", {})
        config.extra["kb"].update(
            api_url=self.config.api_url,
            support_url=self.config.support_url,
            feedback=self.config.feedback,
        )
        return config

    # -- content -------------------------------------------------------------------------
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        docs_dir = Path(config.docs_dir)
        self.docs_dir, self.project_dir = docs_dir, languages_step.project_dir_of(config)
        paths = [f.src_uri for f in files.documentation_pages()]
        # kb serve rebuilds on every save: unchanged articles come from the last build
        cache = (
            self._article_cache.setdefault(str(docs_dir.resolve()), {})
            if (self.command == "serve")
            else None
        )
        self.hc = load_help_center(
            docs_dir,
            paths,
            categories=self.config.categories,
            cache=cache,
            default_lang=self.lang,
            languages=self.config.languages,
            index_articles=self.keeps_site,  # a section's own page is a page like the others
        )
        # kb check's checks (nothing from outside the articles folder reaches the site)
        findings = checks.check_help_center(
            self.hc, docs_dir, (f.src_uri for f in files), skip=checks.BUILD_SKIPS
        )
        if self.keeps_site:
            titles = nav_titles(config.nav)
            stopping, warnings, notes = site_findings(findings, self.hc, titles)
            for f in warnings:
                log.warning("%s%s", display_dir(docs_dir), f)
            for f in notes:
                log.info("%s%s", display_dir(docs_dir), f)
        else:
            stopping = checks.blocking(findings, strict=self.config.strict)
        nav_escapes = containment.escaping_nav(config.nav, display_path(config.config_file_path))
        nav_escapes += search_checks.check_config(config)  # the project's search synonyms
        if stopping or nav_escapes:
            prefix = display_dir(docs_dir)
            lines = [f"{prefix}{f}" for f in sorted(set(stopping))]
            lines += [str(f) for f in nav_escapes]
            raise PluginError(
                "the help center has problems; fix them and build again:\n"
                + "\n".join(lines)
                + f"\n{len(lines)} problem(s)"
            )
        self.stubs = {}
        if self.keeps_site:  # the site's pages stay as they are, and no pages are added
            self.root_links = self.partials = None
            return files
        # partials and redirect stubs are not pages; stubs become redirect pages after the build
        for path in [*self.hc.partials, *self.hc.redirects]:
            f = files.get_file_from_path(path)
            if f is not None:
                files.remove(f)
                if path in self.hc.redirects:
                    self.stubs[path] = f
        permalinks = {
            a.path: a.meta["permalink"]
            for a in self.hc.articles
            if isinstance(a.meta.get("permalink"), str)
        }
        self.root_links = RootLinks(files, list(self.stubs.values()), permalinks)
        self.partials = Partials(docs_dir, self.hc.partials)
        self.assets.collect(files)
        if self.hc.languages:  # the root's list of languages, and each language's home
            for f in languages_step.language_pages(self.hc.languages, config, files):
                files.append(f)
        for f in generated_pages(self.hc, config, files, self.lang):
            files.append(f)
        for f in category_pages(self.hc, config, files, self.config.category_page_size):
            files.append(f)
        if self.command == "build":
            self.progress.start(len(files.documentation_pages()))
        return files

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page | None:
        if self.config.enabled and self._render is not None:
            page.render = partial(self._render, page)  # see fast_render.py
        return page

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        env.globals["kb_asset"] = self.assets.url  # theme/main.html links the fingerprinted files
        if not self.config.enabled:
            return None
        if env.bytecode_cache is None:
            key = str(config.config_file_path)
            if key not in self._bytecode_caches:
                self._bytecode_caches[key] = template_cache(config)
            env.bytecode_cache = self._bytecode_caches[key]
        site_main(env, config)
        return env

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if not self.config.enabled or self.hc is None:
            return None
        if self.keeps_site:
            new_nav, self.nav_info = None, site_nav_info(self.hc, files)
            self.home = nav.homepage
        else:
            new_nav, self.nav_info, self.home = build_nav(self.hc, files)
        self.article_by_src = {a.path: a for a in self.hc.articles}
        self.category_by_src = {
            c.index_path: c for c in self.hc.categories.values() if c.index_path
        }
        page_of, page_urls = category_pagination(self.hc, self.nav_info, files)
        self.category_page_no = {src: n for src, (_cat, n) in page_of.items()}
        self.category_by_src.update({src: cat for src, (cat, _n) in page_of.items()})
        self.views = PageViews(
            self.nav_info,
            page_urls,
            page_size=self.config.category_page_size,
            sidebar_limit=self.config.sidebar_limit,
        )
        self.site_languages = languages_step.site_languages(self, files)
        if self.command == "build":  # a head start on a second core (background.py)
            for step in before_background_hooks:  # shared with the child, computed once
                step(self, config)
            self._background.start(background_hooks, self, config)
        return new_nav

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        self.progress.advance()
        return self.assets.lazy_search_worker(output) if self.config.enabled else None

    def on_build_error(self, *, error: Exception) -> None:
        self.progress.stop()
        self._background.join()

    def on_shutdown(self) -> None:
        self.progress.stop()
        self._background.join()

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files):
        if not self.config.enabled:
            return None
        meta = page.meta
        for key in checks.MATERIAL_LIST_KEYS:
            value = meta.get(key)
            if isinstance(value, str):
                meta[key] = [value]
            elif value is not None and not isinstance(value, list):
                del meta[key]  # e.g. 'hide: true' from another tool; kb check warns
        if self.keeps_site:
            return None
        if page.file.src_uri in self.category_by_src:  # a category's own index.md
            meta.setdefault("template", CATEGORY_TEMPLATE)
        article = self.article_by_src.get(page.file.src_uri)
        lang = article.lang if article else self.lang
        for key in ("title", "description"):  # without Adobe's [!DNL ...] tags
            if isinstance(meta.get(key), str) and "[!" in meta[key]:
                meta[key] = plain_inline(meta[key])
        markdown = to_mkdocs(markdown, lang, include=self.partials)
        return self.root_links.rewrite(markdown, page) if self.root_links else markdown

    # -- templates -----------------------------------------------------------------------
    @event_priority(-50)
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):
        if not self.config.enabled or self.hc is None:
            return None
        src = page.file.src_uri
        article = self.article_by_src.get(src)
        category = self.category_by_src.get(src)
        langs = self.site_languages
        lang = article.lang if article else languages_step.page_lang(self, src)
        t = translator(lang, self.config.strings)
        home_url = self.home.url if self.home else ""
        kb = {
            "lang": lang,
            "t": t,
            "article": article,
            "kind": "page",
            "api_url": self.config.api_url,
            "support_url": self.config.support_url,
            "home_url": langs.homes.get(lang, home_url) if langs else home_url,
            "reasons": REASONS,
            "structure": "site" if self.keeps_site else "helpcenter",
            # the widget's question set on this page, None for no widget (placement.py)
            "questions": question_set(src, page.meta, self.placement) if article else None,
        }
        if self.keeps_site:
            kb["kind"] = "article" if article is not None else "page"
        elif langs and page.meta.get("template") == languages_step.LANGUAGES_TEMPLATE:
            kb["kind"] = "languages"  # the site root of a help center in several languages
        elif page is self.home or page.meta.get("template") == HOME_TEMPLATE:
            kb["kind"] = "home"
            kb["categories"] = self.views.home_categories(lang if langs else None)
        elif category is not None:
            kb["kind"] = "category"
            page_no = self.category_page_no.get(src, 1)
            kb["category"] = self.views.category(category.key, page_no)
            kb["pager"] = self.views.pager(category.key, page_no)
        if article is not None and not self.keeps_site:
            kb["kind"] = "article"
            info = self.nav_info.get(article.category)
            kb["category"] = self.views.category(article.category) if info else None
            kb["sidebar"] = self.views.sidebar(article.category, page)
            kb["guide"] = self.views.guide(article, page)
            if article.updated:
                kb["updated"] = t("article.updated", date=format_date(article.updated, lang))
        elif kb["kind"] == "category":
            kb["topics"] = self.views.topics(lang if langs else None)
        for hook in page_context_hooks:
            hook(self, page, kb)
        context["kb"] = kb
        context["kb_t"] = t
        return context

    def on_template_context(self, context, *, template_name: str, config: MkDocsConfig):
        """Static pages (404.html) get kb's strings and the topics too."""
        if not self.config.enabled or self.hc is None or template_name != "404.html":
            return None
        if self.keeps_site:  # the site's own 404 page
            return None
        t = translator(self.lang, self.config.strings)
        context["kb_t"] = t
        context["kb"] = {
            "lang": self.lang,
            "t": t,
            "kind": "notfound",
            "article": None,
            "home_url": self.home.url if self.home else "",
            "topics": self.views.topics(self.lang if self.site_languages else None),
        }
        return context

    # -- output --------------------------------------------------------------------------
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.hc is None:
            return
        self.progress.step("Writing the manifest and the search index")
        try:
            self._write_outputs(self.hc, config)
        finally:
            self.progress.stop()

    def _write_outputs(self, hc: HelpCenter, config: MkDocsConfig) -> None:
        entries = []
        for info in self.nav_info.values():
            for item in info.items:
                entry = article_entry(item.article, item.url)
                entry["questions"] = question_set(
                    item.article.path, item.article.meta, self.placement
                )
                entries.append(entry)
        entries.sort(key=lambda e: e["path"])
        write_manifest(config.site_dir, entries, site_name=config.site_name, lang=self.lang)
        if hc.redirects and self.root_links:
            write_redirects(
                hc.redirects,
                self.stubs,
                self.root_links,
                config.site_dir,
                self.lang,
                config.site_name,
            )
        self.assets.write(config.site_dir)
        self._background.join()
        for hook in post_build_hooks:
            hook(self, config)


# Later build steps (the search index) register here; each gets (plugin, config).
post_build_hooks: list = []

# Steps that need only the loaded help center and its URLs (plugin.hc, plugin.nav_info), not
# the rendered pages; each gets (plugin, config). `kb build` runs them in a forked child while
# it renders the pages (background.py); they must be idempotent, because the post-build hooks
# run anyway and must find the work done or do it themselves.
background_hooks: list = []
# Steps run in the parent just before the fork, for data both processes need (the child
# inherits it instead of computing it again); each gets (plugin, config).
before_background_hooks: list = []


def _record_revisions(plugin: KbPlugin, config: MkDocsConfig) -> None:
    """Record every article's revision at each build, with the project's rewrite threshold."""
    if plugin.hc is None or not config.config_file_path:
        return
    threshold = plugin.config.review.rewrite_similarity or revisions.DEFAULT_REWRITE_SIMILARITY
    languages = plugin.hc.languages  # each language's text has its own history
    revisions.update_files(
        Path(config.config_file_path).resolve().parent,
        config.site_dir,
        ((text_key(a, languages), a.revision, a.title, a.body) for a in plugin.hc.articles),
        rewrite_similarity=threshold,
    )


# Every build records each article's revision (kb/core/revisions.py: the rewrite rule).
post_build_hooks.append(_record_revisions)

# Per-page steps register here; each gets (plugin, page, kb) and may add keys to ``kb``.
page_context_hooks: list = []


# Search (kb/plugin/search.py): the index after every build, related articles on article pages.
post_build_hooks.append(search_step.post_build)
background_hooks.extend([search_step.related_articles, search_step.head_start])
before_background_hooks.append(search_step.prepare)
page_context_hooks.append(search_step.page_context)
# Several languages (kb/plugin/languages.py): each article page links its translations.
page_context_hooks.append(languages_step.page_context)

# The site's CSP sources for kb serve and the deployment's headers (kb/plugin/csp.py).
post_build_hooks.append(csp_step.post_build)

# Every page's meta description (kb/plugin/meta.py).
page_context_hooks.append(meta.page_context)
