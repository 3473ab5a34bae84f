"""The article manifest: what the API and tools know about the built help center."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.core import atomic
from kb.core.content import Article

MANIFEST_DIR = "_kb"
MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def manifest_path(site_dir: str | Path) -> Path:
    return Path(site_dir) / MANIFEST_DIR / MANIFEST_NAME


def article_entry(a: Article, url: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "path": a.path,
        "title": a.title,
        "type": a.type,
        "category": a.category,
        "lang": a.lang,
        "revision": a.revision,
        "url": url,
        "summary": a.summary,
        "tags": a.tags,
        "owner": a.owner,
        "review_by": a.review_by.isoformat() if a.review_by else None,
        "updated": a.updated.isoformat() if a.updated else None,
        "step": a.step,
    }


def write_manifest(
    site_dir: str | Path, entries: list[dict[str, Any]], *, site_name: str, lang: str
) -> Path:
    """Write the manifest atomically (a reader never sees half a file)."""
    target = manifest_path(site_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc = {"version": SCHEMA_VERSION, "site_name": site_name, "lang": lang, "articles": entries}
    return atomic.write_json(target, doc, ensure_ascii=False, indent=1)


def read_manifest(site_dir: str | Path) -> dict[str, Any]:
    """The manifest of a built site; raises FileNotFoundError when the site is not built."""
    with open(manifest_path(site_dir), encoding="utf-8") as fh:
        return json.load(fh)
