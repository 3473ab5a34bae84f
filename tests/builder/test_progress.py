"""A long ``kb build`` shows its progress on a terminal, and nothing anywhere else."""

from __future__ import annotations

import io

from rich.console import Console

from kb.cli import main
from kb.plugin import progress
from kb.plugin.builder import build_site
from kb.plugin.progress import BuildProgress


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_quiet_when_not_a_terminal():
    out = io.StringIO()
    bar = BuildProgress(Console(file=out), min_pages=1)
    bar.start(5000)
    bar.advance()
    bar.step("Writing")
    bar.stop()
    assert not bar.active and bar.completed() == 0
    assert out.getvalue() == ""


def test_quiet_for_a_short_build_even_on_a_terminal():
    console, out = terminal()
    bar = BuildProgress(console)
    bar.start(progress.MIN_PAGES - 1)
    assert not bar.active and out.getvalue() == ""


def test_progress_advances_on_a_terminal():
    console, out = terminal()
    bar = BuildProgress(console, min_pages=1)
    bar.start(3)
    assert bar.active
    bar.advance()
    bar.advance()
    assert bar.completed() == 2
    bar.step("Writing the search index")
    assert bar.completed() == 3
    bar.stop()
    assert not bar.active
    assert "Rendering pages" in out.getvalue() or "Writing the search index" in out.getvalue()


def test_the_build_drives_the_bar_page_by_page(project, monkeypatch):
    console, out = terminal()
    seen: list[int] = []
    monkeypatch.setattr(progress, "MIN_PAGES", 1)
    monkeypatch.setattr(progress, "Console", lambda **kwargs: console)
    real_step = BuildProgress.step

    def step(self, description):
        seen.append(self.completed())
        real_step(self, description)

    monkeypatch.setattr(BuildProgress, "step", step)
    result = build_site(project / "mkdocs.yml")
    # every page advanced the bar before the last steps (404.html is a template, not a page)
    assert seen == [result.pages - 1]
    assert "Writing the manifest and the search index" in out.getvalue()


def test_kb_build_output_unchanged_without_a_terminal(project, runner):
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Built ")
    assert len(result.output.splitlines()) == 1, result.output
