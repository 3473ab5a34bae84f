"""Build steps that need only the loaded help center, run on a second core during the build.

Some after-build steps (the search index) depend on the articles, not on the rendered pages.
For ``kb build`` kb forks once the navigation is known: the child does those steps while the
parent renders the pages, and the parent waits for it before its own after-build hooks.
The steps must be idempotent and incremental (the hook that runs after the build finds the
work done, or does it itself when the child failed), so the child is only ever a head start.

Not used by ``kb serve`` (threads, tiny incremental rebuilds), on systems without ``fork``,
or when the process already runs other threads (forking those is not safe).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("mkdocs.plugins.kb")
WAIT_S = 600.0  # a child that takes longer than this is stopped; the hook then does the work


class Background:
    def __init__(self) -> None:
        self.pid: int | None = None
        self.started = 0.0

    def start(self, steps: list[Callable], plugin, config) -> bool:
        """Run ``steps(plugin, config)`` in a forked child; False when not possible."""
        self.join()
        if not steps or not hasattr(os, "fork") or threading.active_count() > 1:
            return False
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        try:
            pid = os.fork()
        except OSError:
            return False
        if pid == 0:  # the child: do the steps, never return into MkDocs
            code = 0
            try:
                logging.disable(logging.CRITICAL)  # the parent reports, not the child
                for step in steps:
                    step(plugin, config)
            except BaseException:  # noqa: BLE001 - the after-build hook redoes the work
                code = 1
            finally:
                os._exit(code)
        self.pid, self.started = pid, time.monotonic()
        return True

    def join(self) -> bool | None:
        """Wait for the child; True when it succeeded, None when there was none."""
        if self.pid is None:
            return None
        pid, self.pid = self.pid, None
        deadline = self.started + WAIT_S
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
                log.debug("kb: background steps %s in %.2f s", "done" if ok else "failed",
                          time.monotonic() - self.started)
                return ok
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return False
            time.sleep(0.01)
