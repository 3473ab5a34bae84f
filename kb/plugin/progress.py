"""Progress of a long ``kb build`` on a terminal: pages rendered, then the steps after them.

Driven by the plugin's hooks: ``start`` once the pages are known (``on_files``), ``advance``
after each page (``on_post_page``), ``step`` for the work after the pages (``on_post_build``),
``stop`` at the end or on an error. Nothing is shown when standard error is not a terminal
(CI logs, tests, pipes) or when the build is short; the bar disappears when it is done, so
``kb build`` prints the same lines as without it.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

MIN_PAGES = 200  # smaller builds take a few seconds at most: no bar


class BuildProgress:
    """A transient progress bar on standard error, or nothing at all."""

    def __init__(self, console: Console | None = None, min_pages: int | None = None) -> None:
        self._console = console
        self._min_pages = min_pages
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def active(self) -> bool:
        return self._progress is not None

    def start(self, pages: int) -> None:
        """A bar for ``pages`` pages, when standard error is a terminal and there are enough."""
        self.stop()
        console = self._console or Console(stderr=True)
        least = MIN_PAGES if self._min_pages is None else self._min_pages
        if pages < least or not console.is_terminal:
            return
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("Rendering pages", total=pages)
        self._progress.start()

    def advance(self, n: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def step(self, description: str) -> None:
        """The pages are done: name the step now running (the search index, say)."""
        if self._progress is not None and self._task is not None:
            task = self._progress.tasks[0]
            self._progress.update(self._task, description=description, completed=task.total)

    def completed(self) -> int:
        """Pages rendered so far (0 without a bar)."""
        if self._progress is None:
            return 0
        return int(self._progress.tasks[0].completed)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress, self._task = None, None
