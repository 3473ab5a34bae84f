"""Revisions the votes name but the local history does not know, recovered from git.

A fresh checkout (a CI runner, a new colleague's laptop) has no ``.kb/revisions.json``: the
votes on older texts would count for no lineage. :func:`recover_history` asks git for those
texts (:mod:`kb.core.revision_git`), adds them to the history the review uses and keeps them
in the project's history file for the next builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.core.revision_git import recover
from kb.core.revisions import project_history_path, read_history, write_history
from kb.review.scoring import Tally


def unknown_revisions(
    manifest: dict[str, Any], history: dict[str, Any], tallies: dict[str, dict[str, Tally]]
) -> dict[str, set[str]]:
    """``{article_id: {revision}}``: revisions with votes that are neither the current text
    nor in the history."""
    known = {
        aid: {r["revision"] for r in e.get("revisions", [])}
        for aid, e in history.get("articles", {}).items()
    }
    current = {str(a["id"]): a.get("revision") for a in manifest.get("articles", [])}
    unknown = {}
    for aid, revs in tallies.items():
        if aid not in current:
            continue
        missing = {r for r in revs if r and r != current[aid] and r not in known.get(aid, set())}
        if missing:
            unknown[aid] = missing
    return unknown


def recover_history(
    manifest: dict[str, Any],
    history: dict[str, Any],
    tallies: dict[str, dict[str, Tally]],
    docs_dir: Path,
    project_dir: Path | None,
    rewrite_similarity: float,
) -> None:
    """Add to ``history`` what git knows of the revisions it misses (and save it)."""
    unknown = unknown_revisions(manifest, history, tallies)
    if not unknown:
        return
    recovered: dict = {"articles": {}}
    if not recover(
        recovered,
        docs_dir,
        manifest.get("articles", []),
        unknown,
        rewrite_similarity=rewrite_similarity,
    ):
        return
    history.setdefault("articles", {}).update(recovered["articles"])
    if project_dir is not None:  # keep it, with its fingerprints, for the next builds
        path = project_history_path(project_dir)
        own = read_history(path)
        own["articles"].update(recovered["articles"])
        try:
            write_history(path, own)
        except OSError:
            pass  # a read-only checkout: recovered again next time
