"""Whether each translation is up to date with its source: ``current``, ``outdated``, ``missing``.

**How kb decides.** A translation says which text of the source it was made from with
``source_revision: <revision>`` (the short hash kb gives every text; ``kb new --translation-of``
writes it, and the translator updates it when bringing the translation up to date). The
translation is *current* when the source's text today continues the lineage of that revision
under the review's rewrite rule (:mod:`kb.core.revisions`): typo fixes and small edits of the
source keep every translation current; a rewrite (words less than ``rewrite_similarity`` alike
with the lineage's first text) makes them *outdated*, from the date that rewrite was first
seen. The revisions come from the project's history (``.kb/revisions.json``, written by every
build) and, for a revision it does not know (a fresh clone), from the source's git history.

Without ``source_revision``, git decides: the translation is outdated when the source had a
rewrite committed after the translation's last commit. Outside git, and without
``source_revision``, a translation counts as current: there is nothing to compare with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.core.content import Article
from kb.core.errors import Finding
from kb.core.revision_git import versions_of_many
from kb.core.revisions import DEFAULT_REWRITE_SIMILARITY, fingerprint, record, similarity
from kb.core.translations import (
    SOURCE_REVISION,
    ArticleTranslations,
    check_missing,
    group,
    history_key,
)

CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"


@dataclass(frozen=True)
class Status:
    """One article in one language."""

    status: str
    path: str | None = None
    revision: str | None = None
    source_revision: str | None = None  # the source's text the translation was made from
    source_changed: dt.datetime | None = None  # when the source's current text began
    source_path: str | None = None
    unknown_revision: bool = False  # source_revision names no text the source has had

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "path": self.path,
            "revision": self.revision,
            "source_revision": self.source_revision,
            "source_changed": self.source_changed.isoformat() if self.source_changed else None,
            "source": self.source_path,
        }


class _Lineage:
    """The lineages of one source text: from the history, completed from git on demand."""

    def __init__(
        self,
        source: Article,
        entry: Mapping[str, Any] | None,
        git_texts: Mapping[str, list[tuple[str, dt.datetime, str, str]]],
        sim: float,
    ):
        self.source, self.git_texts, self.sim = source, git_texts, sim
        self.revisions: list[dict[str, Any]] = list((entry or {}).get("revisions", []))
        self.base = (entry or {}).get("base")
        self.from_git = False

    def _numbers(self) -> dict[str, tuple[int, str | None]]:
        """``{revision: (lineage, when the lineage began)}``, the current text included."""
        out: dict[str, tuple[int, str | None]] = {}
        n, began = -1, None
        for r in self.revisions:
            if r.get("rewrite") or n < 0:
                n, began = n + 1, r.get("seen")
            out[r["revision"]] = (n, began)
        cur = self.source.revision
        if cur not in out:
            fp = fingerprint(self.source.title, self.source.body)
            if self.base is not None and n >= 0 and similarity(self.base, fp) >= self.sim:
                out[cur] = (n, began)
            else:
                out[cur] = (n + 1, None)  # a rewrite no build has seen yet
        return out

    def _load_git(self) -> None:
        self.from_git = True
        found = self.git_texts.get(self.source.path)
        if not found:
            return
        fresh: dict[str, Any] = {"articles": {}}
        for rev, when, title, body in found:
            record(fresh, [("a", rev, title, body)], rewrite_similarity=self.sim, now=when)
        self.revisions = fresh["articles"]["a"]["revisions"]
        self.base = fresh["articles"]["a"]["base"]

    def compare(self, made_from: str) -> tuple[bool, str | None] | None:
        """(current?, when the source's current lineage began) for a translation made from
        ``made_from``; None when neither the history nor git knows that revision."""
        numbers = self._numbers()
        if made_from not in numbers and not self.from_git:
            self._load_git()
            numbers = self._numbers()
        if made_from not in numbers:
            return None
        cur_n, began = numbers[self.source.revision]
        return numbers[made_from][0] == cur_n, began

    def revision_at(self, when: dt.datetime) -> str | None:
        """The source's committed revision at ``when`` (from git)."""
        if not self.from_git:
            self._load_git()
        at = None
        for r in self.revisions:
            seen = _parse(r.get("seen"))
            if seen is not None and seen <= when:
                at = r["revision"]
        return at


def _parse(stamp: str | None) -> dt.datetime | None:
    if not stamp:
        return None
    try:
        return dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None


def statuses(
    groups: Iterable[ArticleTranslations],
    languages: Sequence[str],
    history: Mapping[str, Any],
    *,
    docs_dir: Path | None = None,
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY,
) -> list[tuple[ArticleTranslations, dict[str, Status]]]:
    """Each article with the status of its text in every language."""
    entries = history.get("articles", {})
    groups = list(groups)
    keys = {g.id: history_key(g.id, g.source_lang, languages[0]) for g in groups}
    git_texts = versions_of_many(docs_dir, _needing_git(groups, entries, keys)) if docs_dir else {}
    out = []
    for g in groups:
        src = g.source
        lineage = _Lineage(src, entries.get(keys[g.id]), git_texts, rewrite_similarity)
        row: dict[str, Status] = {}
        for lang in languages:
            a = g.texts.get(lang)
            if a is None:
                row[lang] = Status(MISSING, source_path=src.path)
            elif lang == g.source_lang:
                row[lang] = Status(CURRENT, a.path, a.revision)
            else:
                row[lang] = _status_of(a, src, lineage)
        out.append((g, row))
    return out


def _needing_git(
    groups: Sequence[ArticleTranslations], entries: Mapping[str, Any], keys: Mapping[str, str]
) -> list[str]:
    """The sources whose git history some translation's status needs: a source_revision
    the project's history does not know, or no source_revision and a source committed
    after the translation."""
    out = []
    for g in groups:
        src = g.source
        known = {r["revision"] for r in entries.get(keys[g.id], {}).get("revisions", [])}
        for a in g.texts.values():
            if a is src:
                continue
            made = a.meta.get(SOURCE_REVISION)
            if made not in (None, ""):
                need = str(made).strip() not in known | {src.revision}
            else:
                need = bool(a.updated and src.updated and src.updated > a.updated)
            if need:
                out.append(src.path)
                break
    return out


def _status_of(a: Article, src: Article, lineage: _Lineage) -> Status:
    made_from = a.meta.get(SOURCE_REVISION)
    made_from = str(made_from).strip() if made_from not in (None, "") else None

    def status(
        current: bool, began: str | None, made: str | None = made_from, unknown: bool = False
    ) -> Status:
        when = _parse(began) or src.updated
        return Status(
            CURRENT if current else OUTDATED,
            a.path,
            a.revision,
            made,
            None if current else when,
            src.path,
            unknown,
        )

    if made_from is not None:
        if made_from == src.revision:
            return status(True, None)
        found = lineage.compare(made_from)
        if found is None:  # a revision nobody knows: the source changed, by how much is unknown
            return status(False, None, unknown=True)
        return status(*found)
    # No source_revision: git's dates decide.
    if a.updated is None or src.updated is None or src.updated <= a.updated:
        return status(True, None)
    then = lineage.revision_at(a.updated)
    if then is None:
        return status(False, None)
    found = lineage.compare(then)
    return status(*found, made=None) if found else status(False, None)


def check_translations(
    hc_articles: Sequence[Article],
    languages: Sequence[str],
    history: Mapping[str, Any],
    *,
    docs_dir: Path | None = None,
    missing: str = "warning",
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY,
) -> list[Finding]:
    """``kb check``'s findings on translations: outdated ones (warnings) and missing ones
    (at the writer's level, ``missing_translations``)."""
    groups = group(hc_articles, languages)
    out = check_missing(groups, languages, missing)
    for g, row in statuses(
        groups, languages, history, docs_dir=docs_dir, rewrite_similarity=rewrite_similarity
    ):
        for lang, st in row.items():
            if st.status != OUTDATED:
                continue
            a = g.texts[lang]
            when = f" on {st.source_changed.date().isoformat()}" if st.source_changed else ""
            known = (
                f" (source_revision '{st.source_revision}' is not a text it has had)"
                if st.unknown_revision
                else ""
            )
            out.append(
                Finding(
                    a.path,
                    a.line_of(SOURCE_REVISION),
                    "warning",
                    f"translation of {g.source.path} is out of date: the source changed{when}"
                    f"{known}; bring it up to date and set 'source_revision: "
                    f"{g.source.revision}'",
                )
            )
    return out
