"""Search by meaning (search/vectors.py): vectors made at build time, incrementally, carried
by each published generation, and used to re-order the word search's candidates.

These tests use a stand-in encoder whose vectors the test chooses, so the ranking logic is
checked exactly; tests/search/test_semantic_e2e.py runs a real model through kb build."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from kb.search import vectors
from kb.search.engine import SearchEngine
from kb.search.index import clear_vectors, current_dir, open_published, publish, update_index

from tests.search.test_engine import EN, doc, paths


class ToyEncoder:
    """Vectors the test chooses: by the start of the text (an article's title comes first),
    so which article "means" what the query means is known exactly."""

    dim = 3
    digest = "toy-1"
    prompts: dict = {}
    MEANING = {
        "can i get a refund": (1.0, 0.0, 0.0),
        "refund on an invoice by email": (1.0, 0.0, 0.0),  # the query
        "how do i reset my password": (0.6, 0.0, 0.8),
        "everything about invoices": (0.0, 1.0, 0.0),
    }

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array(
            [
                next(
                    (v for start, v in self.MEANING.items() if t.lower().startswith(start)),
                    (0.0, 0.0, 1.0),
                )
                for t in texts
            ],
            dtype=np.float32,
        )


@pytest.fixture
def toy(monkeypatch):
    enc = ToyEncoder()
    monkeypatch.setattr(vectors, "load_encoder", lambda folder: enc)
    return enc


def build(tmp_path, docs, model="model"):
    work = tmp_path / "work"
    update_index(work, docs)
    if model:
        result = vectors.update_vectors(work, docs, tmp_path / model)
    else:
        clear_vectors(work)
        result = None
    publish(work, tmp_path / "site")
    return result


def test_only_changed_articles_are_embedded_again(tmp_path, toy):
    first = build(tmp_path, EN)
    assert (first.encoded, first.reused) == (4, 0)
    again = build(tmp_path, EN)
    assert (again.encoded, again.reused) == (0, 4)
    edited = doc(
        "billing/refunds.md",
        """
        ---
        title: Can I get a refund?
        ---
        Monthly plans can be refunded within 48 hours.
        """,
    )
    docs = [edited if d.path == "billing/refunds.md" else d for d in EN]
    third = build(tmp_path, docs)
    assert (third.encoded, third.reused) == (1, 3)
    assert "48 hours" in toy.encoded[-1]


def test_another_model_embeds_everything_again(tmp_path, toy):
    build(tmp_path, EN)
    toy.digest = "toy-2"
    assert build(tmp_path, EN).encoded == 4


def test_the_published_generation_carries_the_vectors(tmp_path, toy):
    build(tmp_path, EN)
    gen = current_dir(tmp_path / "site")
    matrix = np.load(gen / vectors.MATRIX)
    assert matrix.shape == (4, 3)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0)
    for name in (vectors.MATRIX, vectors.META):  # readable by an API run as another user
        assert (gen / name).stat().st_mode & 0o044 == 0o044


def test_meaning_reorders_the_word_search_candidates(tmp_path, toy):
    # the words favour the long invoices guide; the question means money back
    query = "refund on an invoice by email"
    build(tmp_path, EN, model=None)
    words_only = SearchEngine(open_published(tmp_path / "site"))
    assert words_only.reranker is None
    before = words_only.search(query, "en")
    build(tmp_path, EN)
    engine = SearchEngine(open_published(tmp_path / "site"))
    assert engine.reranker is not None
    after = engine.search(query, "en")
    assert set(paths(after)) == set(paths(before))  # the same articles ...
    assert after["total"] == before["total"]
    assert paths(after)[0] == "billing/refunds.md"  # ... the one about money first
    assert paths(before)[0] != paths(after)[0]
    for e in (words_only, engine):
        e.close()


def test_a_query_that_matches_no_word_still_finds_nothing(tmp_path, toy):
    build(tmp_path, EN)
    engine = SearchEngine(open_published(tmp_path / "site"))
    answer = engine.search("zzzz qqqq", "en")
    assert answer["results"] == [] and answer["total"] == 0
    engine.close()


def test_turning_the_model_off_drops_the_vectors(tmp_path, toy):
    build(tmp_path, EN)
    build(tmp_path, EN, model=None)
    assert not (current_dir(tmp_path / "site") / vectors.META).exists()
    engine = SearchEngine(open_published(tmp_path / "site"))
    assert engine.reranker is None
    engine.close()


def test_a_different_model_at_query_time_is_refused_with_a_warning(tmp_path, toy, caplog):
    build(tmp_path, EN)
    toy.digest = "someone-elses-model"
    with caplog.at_level(logging.WARNING, logger="kb.search"):
        engine = SearchEngine(open_published(tmp_path / "site"))
    assert engine.reranker is None
    assert "not the one the index was built with" in caplog.text
    assert paths(engine.search("refund", "en"))[0] == "billing/refunds.md"  # words still work
    engine.close()


def test_a_missing_model_at_query_time_leaves_word_search(tmp_path, toy, monkeypatch, caplog):
    build(tmp_path, EN)

    def gone(folder):
        raise OSError(f"{folder}: no such folder")

    monkeypatch.setattr(vectors, "load_encoder", gone)
    with caplog.at_level(logging.WARNING, logger="kb.search"):
        engine = SearchEngine(open_published(tmp_path / "site"))
    assert engine.reranker is None
    assert "cannot load the model" in caplog.text
    assert engine.search("refund", "en")["total"] >= 1
    engine.close()
