"""Several languages in one help center: which files are translations of one article.

With the kb plugin's ``languages: [it, en]`` setting (the first is the default language),
articles live under ``articles/<lang>/...``. The file with the same path inside another
language's folder is a translation of the same article; ``translation_of: <id>`` in front
matter links a file whose path differs. Translations share the article's ``id`` (feedback is
kept per article, and per language through the vote's ``lang``); everything else is their own.

The *source* of an article is its text in the default language, or, when it has none, its
text in the first of the ``languages`` that has one. Without ``languages`` nothing here runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kb.core.content import Article, id_from_path
from kb.core.errors import Finding

TRANSLATION_OF = "translation_of"
SOURCE_REVISION = "source_revision"
# How ``kb check`` reports an article missing in a language (``missing_translations``).
MISSING_LEVELS = ("error", "warning", "ignore")


def split_lang(path: str, languages: Sequence[str]) -> tuple[str | None, str]:
    """(language folder, path inside it): ``it/billing/x.md`` -> (``it``, ``billing/x.md``)."""
    head, sep, rest = path.partition("/")
    if sep and head in languages:
        return head, rest
    return None, path


def history_key(article_id: str, lang: str, default_lang: str) -> str:
    """The key of one language's text in the revision history: the default language's text
    keeps the article's id (so a one-language history stays as it is), another language's
    is ``<id>@<lang>`` (``@`` is never part of an id)."""
    return article_id if lang == default_lang else f"{article_id}@{lang}"


def text_key(article: Article, languages: Sequence[str]) -> str:
    """What one language's text of an article is known by (revision history, search index):
    its id in a one-language help center, else :func:`history_key`."""
    return history_key(article.id, article.lang, languages[0]) if languages else article.id


@dataclass
class ArticleTranslations:
    """One article in every language it has."""

    id: str
    texts: dict[str, Article] = field(default_factory=dict)  # lang -> article
    source_lang: str = ""

    @property
    def source(self) -> Article:
        return self.texts[self.source_lang]


def assign_languages(articles: Iterable[Article], languages: Sequence[str]) -> list[Finding]:
    """Give each article the language of its folder; an id taken from the path leaves the
    language folder out, so that ``it/x.md`` and ``en/x.md`` without ids are one article."""
    findings = []
    default = languages[0]
    for a in articles:
        lang, rel = split_lang(a.path, languages)
        if lang is None:
            findings.append(
                Finding(
                    a.path,
                    1,
                    "warning",
                    f"not in a language folder ({', '.join(f'{x}/' for x in languages)}): "
                    f"kb treats it as '{default}'",
                )
            )
            lang = default
        declared = a.meta.get("lang")
        if declared and str(declared).lower() != lang:
            findings.append(
                Finding(
                    a.path,
                    a.line_of("lang"),
                    "error",
                    f"'lang: {declared}' but the file is in the '{lang}/' folder: the folder "
                    "gives the language (remove 'lang:')",
                )
            )
        a.lang = lang
        if a.id_from_path:
            a.id = id_from_path(rel)
    return findings


def link(articles: Sequence[Article], languages: Sequence[str]) -> list[Finding]:
    """Give each translation the id of its source article (same path in the default
    language's folder, or ``translation_of``); findings for links that do not hold."""
    findings = []
    default = languages[0]
    by_rel: dict[str, Article] = {}
    ids = {a.id for a in articles}
    for a in articles:
        lang, rel = split_lang(a.path, languages)
        if lang == default:
            by_rel[rel] = a
    for a in articles:
        lang, rel = split_lang(a.path, languages)
        if lang is None or lang == default:
            continue
        target = a.meta.get(TRANSLATION_OF)
        if target is not None:
            target = str(target).strip()
            if target not in ids:
                findings.append(
                    Finding(
                        a.path,
                        a.line_of(TRANSLATION_OF),
                        "error",
                        f"translation_of '{target}': no article has that id",
                    )
                )
                continue
            source_id, how = target, f"translation_of '{target}'"
        elif rel in by_rel:
            source_id, how = by_rel[rel].id, f"{default}/{rel}"
        else:
            continue  # an article of its own (its source language is its own)
        if not a.id_from_path and a.id != source_id:
            findings.append(
                Finding(
                    a.path,
                    a.line_of("id"),
                    "error",
                    f"id '{a.id}' differs from its source's '{source_id}' ({how}): translations "
                    f"share the article's id (write 'id: {source_id}' or remove 'id:')",
                )
            )
            continue
        a.id, a.id_from_path = source_id, False
    return findings


def group(articles: Iterable[Article], languages: Sequence[str]) -> list[ArticleTranslations]:
    """Every article with its texts by language, in the order of the source's path. When
    two files claim one language of an article, the first by path is kept (see
    :func:`check_claims`)."""
    out: dict[str, ArticleTranslations] = {}
    for a in sorted(articles, key=lambda a: a.path):
        entry = out.setdefault(a.id, ArticleTranslations(a.id))
        entry.texts.setdefault(a.lang, a)
    for entry in out.values():
        entry.source_lang = next(x for x in [*languages, *entry.texts] if x in entry.texts)
    return sorted(out.values(), key=lambda e: e.source.path)


def check_claims(articles: Iterable[Article]) -> list[Finding]:
    """Two files that claim to be one article's text in one language: an error on each."""
    claims: defaultdict[tuple[str, str], list[Article]] = defaultdict(list)
    for a in articles:
        claims[(a.id, a.lang)].append(a)
    out = []
    for (art_id, lang), arts in claims.items():
        if len(arts) < 2:
            continue
        for a in arts:
            others = ", ".join(o.path for o in arts if o is not a)
            out.append(
                Finding(
                    a.path,
                    a.line_of("id"),
                    "error",
                    f"two files claim to be the '{lang}' text of article '{art_id}' "
                    f"(also {others}): keep one, or give the other its own id",
                )
            )
    return out


def check_missing(
    groups: Iterable[ArticleTranslations], languages: Sequence[str], level: str
) -> list[Finding]:
    """An article without a text in one of the languages, at the writer's ``level``."""
    if level == "ignore":
        return []
    out = []
    for g in groups:
        missing = [x for x in languages if x not in g.texts]
        if missing:
            src = g.source
            out.append(
                Finding(
                    src.path,
                    1,
                    level,
                    f"no translation in {', '.join(missing)} (article '{g.id}')",
                    blocking=False,
                )
            )
    return out
