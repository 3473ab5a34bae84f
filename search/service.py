"""The published index as a long-lived service: opened once, reopened when a build
publishes a new generation (CURRENT changes), never while it is half-written."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from kb.search.engine import SearchEngine
from kb.search.index import (
    POINTER,
    SearchIndexMissing,
    missing_message,
    open_published,
    site_index_dir,
)


class SearchService:
    def __init__(self, site_dir: str | Path, *, warm: bool = False) -> None:
        self.site_dir = Path(site_dir)
        self.warm = warm  # a long-lived server loads the frequent terms in the background
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._retired: SearchEngine | None = None  # the previous generation's engine
        self._stamp: tuple | None = None

    def _pointer_stamp(self) -> tuple | None:
        try:
            st = os.stat(site_index_dir(self.site_dir) / POINTER)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def engine(self) -> SearchEngine:
        """The engine for the newest published index; raises SearchIndexMissing without one."""
        stamp = self._pointer_stamp()
        engine = self._engine
        if engine is not None and stamp == self._stamp:
            return engine
        with self._lock:
            if self._engine is None or stamp != self._stamp:
                if stamp is None:
                    raise SearchIndexMissing(missing_message(site_index_dir(self.site_dir)))
                if self._retired is not None:  # two generations old: nobody uses it now
                    self._retired.close()
                self._retired = self._engine
                self._engine = SearchEngine(open_published(self.site_dir))
                self._stamp = stamp
                if self.warm:
                    threading.Thread(
                        target=self._engine.warm, daemon=True, name="kb-search-warm"
                    ).start()
            return self._engine

    def search(self, text: str, lang: str | None = None, limit: int = 10) -> dict:
        return self.engine().search(text, lang, limit)
