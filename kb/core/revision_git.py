"""Recover an article's revision history from git, for a fresh clone that has no
``.kb/revisions.json`` (CI running ``kb report`` on the production database, say).

Votes carry the revision (a hash of the text) they judged. When some votes name revisions
the local history does not know, the article's file is looked up in ``git log``: every
committed version is read, its revision computed exactly as the build does, and the
history rebuilt in order with the rewrite rule of :mod:`kb.core.revisions`. A moved
article is followed through its renames. Only articles with
unknown revisions are looked up, so a report in a clone costs a few git calls at most.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kb.core.content import load_article
from kb.core.errors import ContentError
from kb.core.revisions import DEFAULT_REWRITE_SIMILARITY, record

MAX_ARTICLES = 200  # articles looked up per report
MAX_COMMITS = 50  # versions read per article


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def versions(docs_dir: Path, rel_path: str) -> list[tuple[str, dt.datetime, str, str]]:
    """(revision, commit time, title, body) of every committed version, oldest first.

    The file is followed through renames (``git log --follow``): an article moved to another
    folder keeps the revisions it had under its old name."""
    log = _git(
        docs_dir,
        "log",
        f"-{MAX_COMMITS}",
        "--follow",
        "-z",
        "--format=%x01%H %cI",
        "--name-only",
        "--",
        rel_path,
    )
    if not log:
        return []
    out: list[tuple[str, dt.datetime, str, str]] = []
    for commit, when, name in reversed(_commits(log)):
        text = _git(docs_dir, "show", f"{commit}:{name}")  # name: from the repository's root
        if text is None:
            continue
        try:
            a = load_article(rel_path, text)
        except ContentError:
            continue
        if out and out[-1][0] == a.revision:
            continue
        out.append((a.revision, dt.datetime.fromisoformat(when), a.title, a.body))
    return out


def _commits(log: str) -> list[tuple[str, str, str]]:
    """(commit, date, file name then) of ``git log -z --format=%x01%H %cI --name-only``."""
    out = []
    for entry in log.split("\x01")[1:]:
        header, _, names = entry.partition("\0")
        commit, _, when = header.strip().partition(" ")
        name = names.strip("\n\0").split("\0", 1)[0]
        if commit and when and name:
            out.append((commit, when, name))
    return out


def recover(
    history: dict[str, Any],
    docs_dir: Path,
    articles: Iterable[Mapping[str, Any]],
    unknown: Mapping[str, set[str]],
    *,
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY,
) -> bool:
    """Rebuild from git the history of each article whose votes name ``unknown``
    revisions; True when ``history`` changed. The working-tree text comes last."""
    if _git(docs_dir, "rev-parse", "--is-inside-work-tree") is None:
        return False
    by_id = {str(a["id"]): a for a in articles}
    changed = False
    for article_id in list(unknown)[:MAX_ARTICLES]:
        a = by_id.get(article_id)
        if a is None or not a.get("path"):
            continue
        found = versions(docs_dir, str(a["path"]))
        if not any(rev in unknown[article_id] for rev, *_ in found):
            continue
        fresh: dict[str, Any] = {"articles": {}}
        for rev, when, title, body in found:
            record(
                fresh,
                [(article_id, rev, title, body)],
                rewrite_similarity=rewrite_similarity,
                now=when,
            )
        try:
            current = load_article(
                str(a["path"]), (docs_dir / str(a["path"])).read_text(encoding="utf-8")
            )
            record(
                fresh,
                [(article_id, current.revision, current.title, current.body)],
                rewrite_similarity=rewrite_similarity,
            )
        except (OSError, ContentError):
            pass
        history.setdefault("articles", {})[article_id] = fresh["articles"][article_id]
        changed = True
    return changed


def versions_of_many(
    docs_dir: Path, rel_paths: Iterable[str]
) -> dict[str, list[tuple[str, dt.datetime, str, str]]]:
    """:func:`versions` of many files in two git calls (one ``git log`` over the folder, one
    ``git cat-file --batch``), not two or more per file. Renames are not followed: a
    file's history starts at its current name."""
    wanted = set(rel_paths)
    prefix = _git(docs_dir, "rev-parse", "--show-prefix")
    log = _git(docs_dir, "log", "-z", "--format=%x01%H %cI", "--name-only", "--", ".")
    if not wanted or prefix is None or not log:
        return {}
    prefix = prefix.strip()
    found: dict[str, list[tuple[str, str]]] = {}  # rel path -> [(commit, date)], newest first
    for entry in log.split("\x01")[1:]:
        header, _, names = entry.partition("\0")
        commit, _, when = header.strip().partition(" ")
        for name in names.strip("\n\0").split("\0"):
            rel = name.strip("\n").removeprefix(prefix)
            if rel in wanted and len(found.setdefault(rel, [])) < MAX_COMMITS:
                found[rel].append((commit, when))
    requests = [(rel, commit, when) for rel, cs in found.items() for commit, when in cs]
    try:
        out = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=docs_dir,
            input="".join(f"{c}:{prefix}{rel}\n" for rel, c, _w in requests).encode(),
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    data, pos = out.stdout, 0
    texts: dict[str, list[tuple[str, dt.datetime, str, str]]] = {}
    for rel, _commit, when in requests:
        end = data.index(b"\n", pos)
        fields = data[pos:end].split()
        pos = end + 1
        if len(fields) != 3:  # "<name> missing": deleted in that commit
            continue
        size = int(fields[2])
        blob, pos = data[pos : pos + size], pos + size + 1
        try:
            a = load_article(rel, blob.decode("utf-8"))
        except (UnicodeDecodeError, ContentError):
            continue
        texts.setdefault(rel, []).append(
            (a.revision, dt.datetime.fromisoformat(when), a.title, a.body)
        )
    for rel, vs in texts.items():  # oldest first, one entry per text
        vs.reverse()
        texts[rel] = [v for k, v in enumerate(vs) if k == 0 or vs[k - 1][0] != v[0]]
    return texts
