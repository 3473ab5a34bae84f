"""The search step (kb.search.build), its progress while it embeds, the background steps the
build runs in a child, and the one "site not built" error."""

from __future__ import annotations

import io
import json

import pytest
from kb.search.build import SearchModelError, build_search
from kb.search.documents import SearchDoc, Section
from kb.search.index import SearchIndexError, current_dir, open_published
from kb.search.service import SearchService
from kb.search.vectors import META

from kb.core.errors import SiteNotBuilt
from kb.plugin import background
from kb.plugin.background import Background
from kb.plugin.search import embedding_progress
from tests.search.test_semantic import make_model


def doc(i: int, text: str) -> SearchDoc:
    return SearchDoc(
        id=f"a{i}",
        path=f"a{i}.md",
        url=f"a{i}/",
        lang="en",
        type="how-to",
        title=f"Article {i}",
        summary="",
        tags=[],
        sections=[Section("", "", text)],
    )


DOCS = [doc(1, "Reset your password."), doc(2, "Request a refund."), doc(3, "Invite a team.")]


def test_the_step_indexes_embeds_and_publishes(tmp_path):
    calls: list[tuple[int, int]] = []
    result = build_search(
        DOCS,
        tmp_path / "work",
        site_dir=tmp_path / "site",
        model=make_model(tmp_path / "tiny-bert"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert (result.index.added, result.vectors.encoded) == (3, 3)
    assert result.published == current_dir(tmp_path / "site")
    assert calls and calls[-1] == (3, 3)
    assert all(total == 3 and 0 < done <= 3 for done, total in calls)
    meta = json.loads((result.published / META).read_text())
    assert meta["ids"] == ["a1", "a2", "a3"]

    again = build_search(DOCS, tmp_path / "work", site_dir=tmp_path / "site")  # no model
    assert again.vectors is None and not (again.published / META).exists()
    assert again.index.unchanged == 3


def test_the_step_without_a_site_only_updates_the_working_index(tmp_path):
    result = build_search(DOCS, tmp_path / "work")
    assert result.published is None and (tmp_path / "work" / "state.json").is_file()


def test_a_broken_model_names_the_setting(tmp_path):
    with pytest.raises(SearchModelError, match="search_model 'models/none'"):
        build_search(DOCS, tmp_path / "work", model=tmp_path / "none", model_name="models/none")


def test_no_progress_is_drawn_when_stderr_is_not_a_terminal(tmp_path, capsys):
    stream = io.StringIO()
    with embedding_progress(stream) as progress:
        assert progress is None
    with embedding_progress() as progress:  # pytest's captured stderr: not a terminal
        build_search(DOCS, tmp_path / "work", model=make_model(tmp_path / "m"), progress=progress)
    assert stream.getvalue() == ""
    assert capsys.readouterr().err == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar_that_goes_away():
    stream = Terminal()
    with embedding_progress(stream) as progress:
        assert progress is not None
        progress(1, 4)
        progress(4, 4)
    assert "Embedding articles" in stream.getvalue()


def test_no_bar_on_a_terminal_when_nothing_is_embedded():
    stream = Terminal()
    with embedding_progress(stream):
        pass
    assert stream.getvalue() == ""


def test_a_missing_index_is_site_not_built(tmp_path):
    for call in (lambda: open_published(tmp_path), lambda: SearchService(tmp_path).engine()):
        with pytest.raises(SiteNotBuilt, match="no search index .*run 'kb build'"):
            call()
    with pytest.raises(SearchIndexError):
        open_published(tmp_path)


def first(plugin, config) -> dict:
    return {"from": "first"}


def second(plugin, config) -> list:
    return ["from", "second"]


def nothing(plugin, config) -> None:
    return None


def test_background_results_are_fetched_by_the_step_itself(monkeypatch):
    # the suite may run a thread of its own; these steps touch nothing a thread holds
    monkeypatch.setattr(background.threading, "active_count", lambda: 1)
    bg = Background()
    if not bg.start([first, nothing, second], None, None):
        pytest.skip("no fork here")
    try:
        assert bg.get(second) == ["from", "second"]
        assert bg.get(first) == {"from": "first"}
        assert bg.get(nothing) is None
        assert bg.get(test_background_results_are_fetched_by_the_step_itself) is None
    finally:
        assert bg.join() is True
