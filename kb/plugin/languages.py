"""A help center in several languages on the site: what each page shows of its languages.

With the ``languages`` setting (nothing here runs without it):

- the site root is a page listing the languages (``kb/languages.html``), from which a small
  script sends the reader to the language the browser prefers; each language has its own
  home page, ``<lang>/``, and its own categories (the folders under ``<lang>/``);
- every page gets ``kb.switcher``: ``[{"lang", "name", "url", "current", "missing"}]``, one
  entry per language, going to the same article (or category) in that language, or to that
  language's home when it has no translation (``missing``), which the header's language
  switcher says;
- article pages get ``kb.alternates`` (``<link rel="alternate" hreflang>`` to each existing
  translation, then ``x-default``, the source's page), and, for a translation that is out of
  date with its source (:mod:`kb.core.translation_status`), ``kb.outdated``: the date the
  source changed and a link to it, which the page shows as a notice at the top.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

from kb.core.i18n import format_date, language_name, translate
from kb.core.revisions import (
    DEFAULT_REWRITE_SIMILARITY,
    project_history_path,
    read_history,
    record,
)
from kb.core.translation_status import OUTDATED, Status, statuses
from kb.core.translations import ArticleTranslations, group, split_lang, text_key
from kb.plugin.site_nav import HOME_TEMPLATE

LANGUAGES_TEMPLATE = "kb/languages.html"


def language_pages(languages, config, files: Files) -> list[File]:
    """The site root's language list and each language's home page, where the articles
    folder has none of its own (``index.md``, ``<lang>/index.md``)."""
    new = []
    if all(files.get_file_from_path(n) is None for n in ("index.md", "README.md")):
        title = " · ".join(translate(lang, "breadcrumb.home") for lang in languages)
        content = f'---\ntemplate: {LANGUAGES_TEMPLATE}\ntitle: "{title}"\nhide: [toc]\n---\n'
        new.append(File.generated(config, "index.md", content=content))
    for lang in languages:
        src = f"{lang}/index.md"
        if files.get_file_from_path(src) is None:
            title = translate(lang, "breadcrumb.home").replace('"', '\\"')
            content = f'---\ntemplate: {HOME_TEMPLATE}\ntitle: "{title}"\nhide: [toc]\n---\n'
            new.append(File.generated(config, src, content=content))
    return new


def page_lang(plugin, src: str) -> str:
    """The language of a page that is not an article: its folder's (``it/billing/``)."""
    languages = plugin.hc.languages if plugin.hc is not None else ()
    lang, _rel = split_lang(src, languages) if languages else (None, src)
    return lang or plugin.lang


def category_lang(category) -> str | None:
    """A category's language: its articles' (a category is a folder of one language)."""
    return category.articles[0].lang if category.articles else None


class SiteLanguages:
    """What one build knows of its languages, computed once and shared by its pages."""

    def __init__(self, plugin, files: Files) -> None:
        self.plugin = plugin
        self.languages: tuple[str, ...] = plugin.hc.languages
        self.homes: dict[str, str] = {}
        for lang in self.languages:
            f = files.get_file_from_path(f"{lang}/index.md")
            if f is not None and f.page is not None:
                self.homes[lang] = f.page.url
        self.urls = {
            id(item.article): item.url for info in plugin.nav_info.values() for item in info.items
        }
        self.groups: dict[str, ArticleTranslations] = {
            g.id: g for g in group(plugin.hc.articles, self.languages)
        }
        # "it/billing" -> "billing" -> {lang: category page URL}
        self.categories: dict[str, dict[str, str]] = {}
        for key, info in plugin.nav_info.items():
            lang, rel = split_lang(key, self.languages)
            if lang and info.page is not None:
                self.categories.setdefault(rel, {})[lang] = info.page.url
        self._alternates: dict[str, list[dict[str, str]]] | None = None
        self._status: dict[tuple[str, str], Status] | None = None

    # -- per article ------------------------------------------------------------------------
    def alternates(self, article_id: str) -> list[dict[str, str]]:
        if self._alternates is None:
            out: dict[str, list[dict[str, str]]] = {}
            for g in self.groups.values():
                links = [
                    {"lang": lang, "url": self.urls[id(a)]}
                    for lang, a in self._ordered(g)
                    if id(a) in self.urls
                ]
                source_url = self.urls.get(id(g.source))
                if len(links) > 1 and source_url is not None:
                    out[g.id] = [*links, {"lang": "x-default", "url": source_url}]
            self._alternates = out
        return self._alternates.get(article_id, [])

    def _ordered(self, g: ArticleTranslations):
        return sorted(g.texts.items(), key=lambda t: self.languages.index(t[0]))

    def status(self, article_id: str, lang: str) -> Status | None:
        """The translation's status (current, outdated), from the project's revision history
        and, where it does not know, git (kb.core.translation_status)."""
        if self._status is None:
            plugin = self.plugin
            project_dir = plugin.project_dir
            history = read_history(project_history_path(project_dir)) if project_dir else {}
            sim = plugin.config.review.rewrite_similarity or DEFAULT_REWRITE_SIMILARITY
            # This build's texts, as the build records them after the pages (in memory
            # here): a source rewritten since the last build is outdated from today.
            record(
                history,
                (
                    (text_key(a, self.languages), a.revision, a.title, a.body)
                    for a in plugin.hc.articles
                ),
                rewrite_similarity=sim,
            )
            rows = statuses(
                self.groups.values(),
                self.languages,
                history,
                docs_dir=plugin.docs_dir,
                rewrite_similarity=sim,
            )
            self._status = {(g.id, lang): st for g, row in rows for lang, st in row.items()}
        return self._status.get((article_id, lang))

    # -- the switcher -----------------------------------------------------------------------
    def switcher(self, lang: str, targets: dict[str, str]) -> list[dict]:
        """One entry per language: ``targets``' URL, else that language's home (missing)."""
        out = []
        for other in self.languages:
            url = targets.get(other)
            out.append(
                {
                    "lang": other,
                    "name": language_name(other),
                    "url": url if url is not None else self.homes.get(other, ""),
                    "current": other == lang,
                    "missing": url is None,
                }
            )
        return out

    def article_targets(self, article) -> dict[str, str]:
        g = self.groups.get(article.id)
        texts = g.texts if g is not None else {article.lang: article}
        return {lang: self.urls[id(a)] for lang, a in texts.items() if id(a) in self.urls}

    def page_targets(self, kb: dict, src: str) -> dict[str, str]:
        """A category page goes to the same category in each language that has it; any
        other page to each language's home."""
        category = kb.get("category")
        if kb.get("kind") == "category" and category:
            _lang, rel = split_lang(category["key"], self.languages)
            return dict(self.categories.get(rel, {}))
        return dict(self.homes)


def site_languages(plugin, files: Files) -> SiteLanguages | None:
    """Made once per build (in ``on_nav``), when the help center has ``languages``."""
    if plugin.hc is None or not plugin.hc.languages or plugin.keeps_site:
        return None
    return SiteLanguages(plugin, files)


def page_context(plugin, page, kb: dict) -> None:
    """Add the switcher, the alternates and the outdated notice of one page."""
    langs: SiteLanguages | None = getattr(plugin, "site_languages", None)
    if langs is None:
        return
    lang = kb["lang"]
    kb["languages"] = langs.languages
    kb["language_names"] = {x: language_name(x) for x in langs.languages}
    article = kb.get("article")
    if kb.get("kind") == "languages":
        kb["choices"] = [
            {"lang": x, "name": language_name(x), "url": langs.homes[x]}
            for x in langs.languages
            if x in langs.homes
        ]
        return
    if article is None:
        kb["switcher"] = langs.switcher(lang, langs.page_targets(kb, page.file.src_uri))
        return
    kb["alternates"] = langs.alternates(article.id)
    kb["switcher"] = langs.switcher(lang, langs.article_targets(article))
    st = langs.status(article.id, lang)
    if st is not None and st.status == OUTDATED:
        g = langs.groups[article.id]
        kb["outdated"] = {
            "date": format_date(st.source_changed.date(), lang) if st.source_changed else None,
            "source_url": langs.urls.get(id(g.source), ""),
            "source_lang": g.source_lang,
            "source_name": language_name(g.source_lang),
        }


def project_dir_of(config) -> Path | None:
    return Path(config.config_file_path).resolve().parent if config.config_file_path else None
