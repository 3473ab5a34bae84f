"""Revision history: which texts an article has had, and which edits were rewrites.

Votes are tied to the revision (a hash of the text) they judged. To decide whether old
votes still speak for the current text, every build records each article's revision and
compares a new text with the text the current evidence was collected on:

**The rewrite rule.** A new revision whose words match the *base* revision of the current
lineage (the first text of it) with a similarity of at least ``rewrite_similarity``
(default 0.8; the ``difflib`` ratio over the sequence of words, 1.0 = same words in the
same order) continues the lineage: typo fixes, a new sentence or a reworded step keep the
article's evidence. Below the threshold the revision is a **rewrite**: it starts a new
lineage and is judged only on the votes it gets itself. Comparing with the base rather
than with the previous revision means a rewrite done in many small commits is still a
rewrite.

The history accumulates in ``<project>/.kb/revisions.json`` (it is kept next to the
database; keep it when you move the database) and each build copies it, without the word
fingerprints, to ``site/_kb/revisions.json`` for the API and the dashboard.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import hashlib
import json
import re
import sys
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kb.core import atomic

HISTORY_NAME = "revisions.json"
SCHEMA_VERSION = 1
DEFAULT_REWRITE_SIMILARITY = 0.8
_WORD = re.compile(r"\w+", re.UNICODE)


_CODES: dict[str, int] = {}


def _code(word: str) -> int:
    code = _CODES.get(word)
    if code is None:
        code = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=2).digest(), "big")
        if len(_CODES) < 500_000:
            _CODES[word] = code
    return code


def fingerprint(title: str, body: str) -> str:
    """The text's words as 16-bit hashes, base64: about 2 bytes a word, enough for difflib."""
    words = _WORD.findall(f"{title}\n{body}".lower())
    known = _CODES.get  # most words are known: a dict lookup, not a call of _code, each
    codes = array("H", [c if (c := known(w)) is not None else _code(w) for w in words])
    if sys.byteorder != "big":
        codes.byteswap()
    return base64.b64encode(codes.tobytes()).decode("ascii")


def _codes(fp: str) -> list[int]:
    codes = array("H")
    codes.frombytes(base64.b64decode(fp))
    if sys.byteorder != "big":
        codes.byteswap()
    return codes.tolist()


def similarity(fp_a: str, fp_b: str) -> float:
    """difflib's ratio of two fingerprints: 2·matches / total words (1.0 = identical)."""
    a, b = _codes(fp_a), _codes(fp_b)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def project_history_path(project_dir: str | Path) -> Path:
    return Path(project_dir) / ".kb" / HISTORY_NAME


def site_history_path(site_dir: str | Path) -> Path:
    return Path(site_dir) / "_kb" / HISTORY_NAME


def read_history(path: str | Path) -> dict[str, Any]:
    """The history at ``path``, or an empty one when there is none (or it is unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        if isinstance(doc, dict) and isinstance(doc.get("articles"), dict):
            return doc
    except (OSError, ValueError):
        pass
    return {"version": SCHEMA_VERSION, "articles": {}}


def write_history(path: str | Path, history: dict) -> None:
    """Write a history file atomically."""
    _write_json(Path(path), history)


def _write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_json(path, doc, ensure_ascii=False, separators=(",", ":"))


def record(
    history: dict[str, Any],
    articles: Iterable[tuple[str, str, str, str]],
    *,
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY,
    now: dt.datetime | None = None,
) -> bool:
    """Add each (id, revision, title, body) to ``history``; True when anything changed."""
    now = now or dt.datetime.now(dt.timezone.utc)
    stamp = now.isoformat(timespec="seconds")
    changed = False
    arts = history.setdefault("articles", {})
    for article_id, revision, title, body in articles:
        entry = arts.get(article_id)
        if entry is None:
            arts[article_id] = {
                "revisions": [
                    {"revision": revision, "seen": stamp, "similarity": None, "rewrite": True}
                ],
                "base": fingerprint(title, body),
            }
            changed = True
            continue
        revs = entry.setdefault("revisions", [])
        if revs and revs[-1]["revision"] == revision:
            continue
        # Back to an earlier text (a revert): judged again against the current base.
        revs[:] = [r for r in revs if r["revision"] != revision]
        fp = fingerprint(title, body)
        sim = similarity(entry["base"], fp) if entry.get("base") else 0.0
        rewrite = sim < rewrite_similarity
        revs.append(
            {"revision": revision, "seen": stamp, "similarity": round(sim, 3), "rewrite": rewrite}
        )
        if rewrite:
            entry["base"] = fp
        changed = True
    return changed


def lineages(entry: Mapping[str, Any] | None) -> dict[str, int]:
    """``{revision: lineage number}`` for one article: 0 is the first text, +1 per rewrite.

    Revisions are kept in the order they were built, so the last lineage is the current
    text's.
    """
    out: dict[str, int] = {}
    if not entry:
        return out
    n = -1
    for r in entry.get("revisions", []):
        if r.get("rewrite") or n < 0:
            n += 1
        out[r["revision"]] = n
    return out


def public_copy(history: Mapping[str, Any]) -> dict[str, Any]:
    """The history without fingerprints (what the site publishes)."""
    return {
        "version": SCHEMA_VERSION,
        "articles": {
            k: {"revisions": v.get("revisions", [])} for k, v in history.get("articles", {}).items()
        },
    }


def update_files(
    project_dir: str | Path,
    site_dir: str | Path,
    articles: Iterable[tuple[str, str, str, str]],
    *,
    rewrite_similarity: float = DEFAULT_REWRITE_SIMILARITY,
) -> dict[str, Any]:
    """A build's work: update the project's history and publish it with the site."""
    path = project_history_path(project_dir)
    history = read_history(path)
    if record(history, articles, rewrite_similarity=rewrite_similarity):
        _write_json(path, history)
    _write_json(site_history_path(site_dir), public_copy(history))
    return history


def load_for_report(project_dir: str | Path | None, site_dir: str | Path | None) -> dict:
    """The most complete history available: the project's own, else the site's copy."""
    if project_dir is not None:
        h = read_history(project_history_path(project_dir))
        if h["articles"]:
            return h
    if site_dir is not None:
        return read_history(site_history_path(site_dir))
    return {"version": SCHEMA_VERSION, "articles": {}}
