"""The Whoosh index: schema, incremental updates and atomic publication into the site.

Layout::

    <project>/.kb/search-index/      the working index, updated in place between builds
        kb*.toc, *.seg, state.json   (state.json: article id -> fingerprint, per generation)
    <site>/_kb/search/
        CURRENT                      {"dir": "g-<n>-<stamp>"}, replaced atomically
        g-<n>-<stamp>/               a frozen copy (hard links) of one generation

Only articles whose fingerprint changed are analysed again. Readers open the directory that
CURRENT names; a new generation is complete before CURRENT points at it, and Whoosh never
rewrites a file it has written, so hard links are safe and cost no space.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.search.analysis import LANGS, KbAnalyzer, signature, words
from kb.search.documents import SearchDoc
from kb.search.synonyms import NO_BUILTIN, PUBLISHED
from whoosh import fields, index
from whoosh.writing import LockError

from kb.core import atomic
from kb.core.errors import KbError, SiteNotBuilt

INDEX_NAME = "kb"
SITE_SUBDIR = Path("_kb") / "search"
POINTER = "CURRENT"
STATE = "state.json"
SCHEMA_VERSION = 3  # 3: documents are known by "key" (translations share an id)
TEXT_FIELDS = ("title", "keys", "body")


class SearchIndexError(KbError):
    """The search index cannot be written or opened."""


class SearchIndexMissing(SearchIndexError, SiteNotBuilt):
    """The site has no published search index: it has not been built."""


def missing_message(target: Path) -> str:
    return f"no search index in {target}; run 'kb build'"


def make_schema() -> fields.Schema:
    spec: dict[str, fields.FieldType] = {
        "key": fields.ID(stored=True, unique=True),
        "id": fields.ID(stored=True),
        "lang": fields.ID(stored=True),
        "type": fields.ID(stored=True),
        "path": fields.STORED(),
        "url": fields.STORED(),
        "title": fields.STORED(),
        "summary": fields.STORED(),
        "sections": fields.STORED(),
        "fp": fields.STORED(),
    }
    for lang in LANGS:
        an = KbAnalyzer(lang)
        spec[f"title_{lang}"] = fields.TEXT(analyzer=an, phrase=True)
        spec[f"keys_{lang}"] = fields.TEXT(analyzer=an, phrase=True)
        spec[f"body_{lang}"] = fields.TEXT(analyzer=an, phrase=True)
        # scorable: with a length column Whoosh does not stat a missing file per posting
        spec[f"words_{lang}"] = fields.KEYWORD(lowercase=False, scorable=True)
    return fields.Schema(**spec)


def to_fields(doc: SearchDoc) -> dict:
    lang = doc.lang if doc.lang in LANGS else "en"
    keys = "\n".join([doc.summary, " ; ".join(doc.tags), doc.headings_text])
    body = doc.body_text
    vocab = set(words(f"{doc.title}\n{keys}\n{body}"))
    return {
        "key": doc.key,
        "id": doc.id,
        "lang": lang,
        "type": doc.type,
        "path": doc.path,
        "url": doc.url,
        "title": doc.title,
        "summary": doc.summary,
        "fp": doc.fingerprint,
        "sections": [(s.anchor, s.heading, s.text) for s in doc.sections],
        f"title_{lang}": doc.title,
        f"keys_{lang}": keys,
        f"body_{lang}": body,
        f"words_{lang}": " ".join(w for w in vocab if w.isalpha() and 2 < len(w) < 30),
    }


@dataclass
class UpdateResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _schema() -> str:
    """The index layout and the analysis' word lists: a change to either rebuilds."""
    return f"{SCHEMA_VERSION}-{signature()}"


def _read_state(work: Path) -> dict:
    try:
        return json.loads((work / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(work: Path, generation: int, ids: dict[str, str]) -> None:
    atomic.write_json(work / STATE, {"schema": _schema(), "generation": generation, "ids": ids})


def _open_work(work: Path, *, fresh: bool):
    work.mkdir(parents=True, exist_ok=True)
    state = _read_state(work)
    if not fresh and state.get("schema") == _schema():
        try:
            return index.open_dir(str(work), indexname=INDEX_NAME), state
        except Exception:  # noqa: BLE001 - a missing or damaged working copy is rebuilt
            pass
    for child in work.iterdir():  # a schema change, a damaged copy or a first build: clean
        if child.is_file():
            child.unlink()
    return index.create_in(str(work), make_schema(), indexname=INDEX_NAME), None


def _known_ids(ix, state: dict | None) -> dict[str, str]:
    """key -> fingerprint of what the index holds (state.json, or the index itself)."""
    if state and state.get("generation") == ix.latest_generation():
        return dict(state.get("ids", {}))
    with ix.searcher() as s:
        return {f["key"]: f.get("fp", "") for f in s.all_stored_fields()}


def update_index(
    work: str | Path,
    docs: Iterable[SearchDoc],
    *,
    procs: int = 1,
    limitmb: int = 128,
    fresh: bool = False,
) -> UpdateResult:
    """Bring the working index in line with ``docs``: add, re-index or delete by id."""
    start = time.perf_counter()
    work = Path(work)
    docs = list(docs)
    ix, state = _open_work(work, fresh=fresh)
    known = _known_ids(ix, state) if state is not None else {}
    result = UpdateResult(rebuilt=state is None)
    wanted = {d.key: d for d in docs}
    to_write = [d for d in docs if known.get(d.key) != d.fingerprint]
    gone = [i for i in known if i not in wanted]
    result.unchanged = len(docs) - len(to_write)
    if not to_write and not gone:
        result.seconds = time.perf_counter() - start
        return result
    bulk = len(to_write) > 500 and not known
    kwargs = {"limitmb": limitmb}
    if bulk and procs > 1:
        kwargs.update(procs=procs, multisegment=True)
    try:
        writer = ix.writer(timeout=120.0, delay=0.2, **kwargs)
    except LockError:
        raise SearchIndexError(f"{work}: another build is writing the search index") from None
    try:
        for i in gone:
            writer.delete_by_term("key", i)
            result.removed += 1
        for d in to_write:
            if d.key in known:
                writer.delete_by_term("key", d.key)
                result.updated += 1
            else:
                result.added += 1
            writer.add_document(**to_fields(d))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=False)
    ids = {d.key: d.fingerprint for d in docs}
    _write_state(work, index.open_dir(str(work), indexname=INDEX_NAME).latest_generation(), ids)
    result.seconds = time.perf_counter() - start
    return result


# -- publication into the site ----------------------------------------------------------------


def site_index_dir(site_dir: str | Path) -> Path:
    return Path(site_dir) / SITE_SUBDIR


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def publish(
    work: str | Path,
    site_dir: str | Path,
    *,
    keep: int = 2,
    synonyms: str | Path | None = None,
    builtin_synonyms: bool = True,
) -> Path:
    """Freeze the working index into ``<site>/_kb/search/`` and point CURRENT at it.

    ``synonyms``: the project's synonyms folder; its ``<lang>.txt`` files are copied into
    the generation (``synonyms/``), so the engine that opens it searches with exactly the
    groups of this build. ``builtin_synonyms=False`` leaves kb's built-in groups out.
    Older generations beyond ``keep`` are removed; a reader still using one keeps its open
    files (POSIX), and a reader opening afresh follows CURRENT.
    """
    work = Path(work)
    target = site_index_dir(site_dir)
    target.mkdir(parents=True, exist_ok=True)
    gen = index.open_dir(str(work), indexname=INDEX_NAME).latest_generation()
    name = f"g-{gen}-{time.time_ns():x}"
    tmp = target / f".tmp-{name}"
    tmp.mkdir()
    toc = f"_{INDEX_NAME}_{gen}.toc"
    for f in work.iterdir():
        if (
            f.is_file()
            and f.name != STATE
            and not f.name.endswith(".lock")
            and (not f.name.endswith(".toc") or f.name == toc)
        ):
            _link_or_copy(f, tmp / f.name)
    _carry_synonyms(tmp, synonyms, builtin_synonyms)
    os.rename(tmp, target / name)
    atomic.write_json(target / POINTER, {"dir": name, "generation": gen})
    olds = sorted(
        (d for d in target.iterdir() if d.is_dir() and d.name.startswith("g-")),
        key=lambda d: d.stat().st_mtime_ns,
    )
    for d in olds[:-keep] if keep else olds:
        if d.name != name:
            shutil.rmtree(d, ignore_errors=True)
    for d in target.iterdir():
        if d.name.startswith(".tmp-") and d.name != tmp.name:
            shutil.rmtree(d, ignore_errors=True)
    return target / name


def _carry_synonyms(generation: Path, folder: str | Path | None, builtin: bool) -> None:
    """Copy (never link: writers edit them in place) the project's synonym files."""
    files = [Path(folder) / f"{lang}.txt" for lang in LANGS] if folder else []
    files = [f for f in files if f.is_file()]
    if not files and builtin:
        return
    out = generation / PUBLISHED
    out.mkdir()
    for f in files:
        shutil.copyfile(f, out / f.name)
    if not builtin:
        (out / NO_BUILTIN).write_bytes(b"")


def current_dir(site_dir: str | Path) -> Path:
    """The published generation CURRENT names; raises SearchIndexMissing when there is none."""
    target = site_index_dir(site_dir)
    try:
        name = json.loads((target / POINTER).read_text(encoding="utf-8"))["dir"]
    except (OSError, ValueError, KeyError, TypeError):
        raise SearchIndexMissing(missing_message(target)) from None
    path = target / name
    if "/" in name or not path.is_dir():
        raise SearchIndexError(f"{target}: CURRENT names a missing index '{name}'")
    return path


# Search by meaning's files in the working index, carried into each published generation
# (written by kb.search.vectors; named here so a words-only build can drop them without
# loading numpy).
VECTOR_MATRIX, VECTOR_META = "vectors.npy", "vectors.json"


def clear_vectors(work: str | Path) -> None:
    """No model configured: the next published generation carries no vectors."""
    for name in (VECTOR_MATRIX, VECTOR_META):
        try:
            (Path(work) / name).unlink()
        except FileNotFoundError:
            pass


def generation_dir(ix) -> Path | None:
    """The folder an opened index was read from (a published generation, whose extra files,
    synonyms and vectors, sit beside Whoosh's), or None for an index not on disk."""
    folder = getattr(getattr(ix, "storage", None), "folder", None)
    return Path(folder) if folder is not None else None


def open_published(site_dir: str | Path):
    path = current_dir(site_dir)
    try:
        return index.open_dir(str(path), indexname=INDEX_NAME, readonly=True)
    except (OSError, index.EmptyIndexError) as exc:
        raise SearchIndexError(f"{path}: cannot open the search index: {exc}") from None
