"""The built help center's articles, read from the manifest and reloaded when it changes.

``kb build`` replaces the manifest atomically, so a changed (mtime, size, inode) means a new
build: one ``stat`` per request is the whole cost of staying current.

In a help center in several languages the translations of an article share its id, each
with its own manifest entry (its language, revision, URL): entries are looked up by id and
language, and by id alone give the text in the site's default language.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from flask import current_app
from kb.feedback_api.errors import ApiError

from kb.core.errors import SiteNotBuilt
from kb.core.manifest import manifest_path, read_manifest

__all__ = ["Articles", "SiteNotBuilt", "known_article"]


class Articles:
    """Articles of the site in ``site_dir`` by id (and by path, for imports)."""

    def __init__(self, site_dir: str | Path) -> None:
        self.site_dir = Path(site_dir)
        self.path = manifest_path(self.site_dir)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._by_id: dict[str, dict[str, Any]] = {}  # the default language's text, else the first
        self._by_lang: dict[tuple[str, str], dict[str, Any]] = {}  # (id, lang) -> entry
        self._by_path: dict[str, dict[str, Any]] = {}

    def _refresh(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise self._not_built() from None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                manifest = read_manifest(self.site_dir)
            except FileNotFoundError:
                raise self._not_built() from None
            articles = manifest.get("articles", [])
            default = manifest.get("lang")
            self._by_lang = {(a["id"], a.get("lang")): a for a in articles}
            self._by_id = {}
            for a in articles:
                if a["id"] not in self._by_id or a.get("lang") == default:
                    self._by_id[a["id"]] = a
            self._by_path = {a["path"]: a for a in articles}
            self._stamp = stamp

    def _not_built(self) -> SiteNotBuilt:
        return SiteNotBuilt(
            f"the help center is not built (no manifest at {self.path}); run 'kb build' first"
        )

    def get(self, article_id: str, lang: str | None = None) -> dict[str, Any] | None:
        """The manifest entry of ``article_id`` (its text in ``lang`` when it has one), or
        None when the site has no such article."""
        self._refresh()
        if lang:
            entry = self._by_lang.get((article_id, lang))
            if entry is not None:
                return entry
        return self._by_id.get(article_id)

    def find(self, id_or_path: str) -> dict[str, Any] | None:
        """By id, or by path relative to ``articles/`` (with or without ``.md``)."""
        self._refresh()
        key = id_or_path.strip().lstrip("/")
        if key.startswith("articles/"):
            key = key[len("articles/") :]
        return self._by_id.get(key) or self._by_path.get(key) or self._by_path.get(f"{key}.md")

    def __len__(self) -> int:
        self._refresh()
        return len(self._by_id)


def known_article(article_id: str, lang: str | None = None) -> dict[str, Any]:
    """The app's manifest entry of ``article_id`` (in ``lang`` when the article has that
    language); a 404 or 503 in the one error shape."""
    try:
        entry = current_app.extensions["kb_articles"].get(article_id, lang)
    except SiteNotBuilt:
        raise ApiError(
            503,
            "site_not_built",
            "The help center has not been built yet (run kb build).",
            headers={"Retry-After": "30"},
        ) from None
    if entry is None:
        raise ApiError(
            404, "unknown_article", "No article with this id in the help center.", "article"
        )
    return entry
