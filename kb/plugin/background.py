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

import json
import logging
import os
import select
import struct
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger("mkdocs.plugins.kb")
WAIT_S = 600.0  # a child that takes longer than this is stopped; the hook then does the work


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Background:
    """A forked child doing ``steps``; a step that returns a value (not None, JSON data) sends
    it back through a pipe, and the parent picks it up with :meth:`get` (given the step
    itself) when it needs it."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.started = 0.0
        self.fd: int | None = None  # read end of the results pipe
        self.buffer = b""
        self.steps: list[Callable] = []  # the child's steps: a message names one by position
        self.results: dict[int, object] = {}  # a step's position -> the value it returned

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
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return False
        if pid == 0:  # the child: do the steps, never return into MkDocs
            code = 0
            try:
                os.close(read_fd)
                logging.disable(logging.CRITICAL)  # the parent reports, not the child
                for number, step in enumerate(steps):
                    value = step(plugin, config)
                    if value is not None:  # JSON: plain data only
                        data = json.dumps([number, value]).encode()
                        _write_all(write_fd, struct.pack("!Q", len(data)) + data)
            except BaseException:  # noqa: BLE001 - the after-build hook redoes the work
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.started, self.fd = pid, time.monotonic(), read_fd
        self.buffer, self.results, self.steps = b"", {}, list(steps)
        return True

    def get(self, step: Callable) -> object | None:
        """The value ``step`` (one of the steps given to :meth:`start`) returned in the child,
        waiting for it; None when the child failed, ended without it, or there is no child."""
        if step not in self.steps:
            return None
        number = self.steps.index(step)
        while number not in self.results and self.fd is not None:
            self._read_one()
        return self.results.pop(number, None)

    def _read_one(self) -> None:
        """Read one message (or the end) from the child."""
        while True:
            if len(self.buffer) >= 8:
                size = struct.unpack("!Q", self.buffer[:8])[0]
                if len(self.buffer) >= 8 + size:
                    data, self.buffer = self.buffer[8 : 8 + size], self.buffer[8 + size :]
                    try:
                        number, value = json.loads(data)
                    except ValueError:
                        return
                    self.results[number] = value
                    return
            if self.fd is None:
                return
            wait = max(0.0, self.started + WAIT_S - time.monotonic())
            if not select.select([self.fd], [], [], wait)[0]:  # a stuck child: give up on it
                self._close()
                if self.pid is not None:
                    os.kill(self.pid, 9)
                return
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self._close()
                return
            self.buffer += chunk

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def join(self) -> bool | None:
        """Wait for the child; True when it succeeded, None when there was none."""
        if self.pid is None:
            return None
        while self.fd is not None:  # drain: a child blocked on a full pipe never ends
            self._read_one()
        self.results.clear()
        pid, self.pid = self.pid, None
        deadline = self.started + WAIT_S
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
                log.debug(
                    "kb: background steps %s in %.2f s",
                    "done" if ok else "failed",
                    time.monotonic() - self.started,
                )
                return ok
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return False
            time.sleep(0.01)
