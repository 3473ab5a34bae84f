"""A help center in two languages, on the Adobe Commerce knowledge base (English and its
Italian translation, the same paths): search in each language and across them.

Two builds of one bilingual project (``languages: [en, it]``; the Italian files copied, the
English ones too, since kb reads nothing outside its articles folder):

- *full*: every article in both languages. Figures: how many pairs are linked as one
  article; the Italian title searched in the Italian index finds the Italian text (first,
  top 5); the English title finds the English text; and the Italian title searched in the
  English index (``lang=en``: words alone, the issue's 91 % reference) finds the English text.
- *half*: every other Italian file removed. The Italian title of a removed article, searched
  as an Italian reader searches (``lang=it``), must find the English text (cross-language):
  compared with the same query among the untranslated articles alone (the ceiling of words
  alone: no Italian article competing); and the articles still in Italian must be found as
  well as in the full build (the cross-language results must not push them down).

``--quick`` uses the small slices in tests/fixtures/corpora.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import yaml
from kb.search.engine import SearchEngine
from kb.search.index import open_published

from kb.plugin.builder import build_site

from .bench_corpora import corpora_dir

EN, IT = "adobe-commerce-kb-en", "adobe-commerce-kb-it"
TOP = 5


def corpus_docs(base: Path, name: str) -> Path:
    root = base / name
    return root / "docs" / "help" if (root / "docs").is_dir() else root / "help"


def make_project(work: Path, en: Path, it: Path, keep_it) -> Path:
    """A bilingual project: ``articles/en`` and ``articles/it`` copied from the corpora,
    the Italian files for which ``keep_it(relative path)`` is false left out."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "articles"
    shutil.copytree(en, docs / "en")
    for src in sorted(it.rglob("*")):
        rel = src.relative_to(it)
        if src.is_file() and (src.suffix != ".md" or keep_it(rel.as_posix())):
            (docs / "it" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, docs / "it" / rel)
    conf = {
        "site_name": "Adobe Commerce",
        "docs_dir": "articles",
        "site_dir": "site",
        "theme": {"name": "material", "language": "en"},
        "plugins": ["search", {"kb": {"languages": ["en", "it"]}}],
    }
    (work / "mkdocs.yml").write_text(yaml.safe_dump(conf), encoding="utf-8")
    return work / "mkdocs.yml"


def entries(site: Path) -> dict[tuple[str, str], dict]:
    data = json.loads((site / "_kb" / "manifest.json").read_text("utf-8"))
    return {(a["id"], a["lang"]): a for a in data["articles"]}


def ranks(engine: SearchEngine, queries: list[tuple[str, str, str, str]]) -> list[int | None]:
    """For each (query, reader's language, wanted id, wanted language): the wanted text's
    rank (1 = first) in the top 10, or None."""
    out = []
    for q, lang, want_id, want_lang in queries:
        results = engine.search(q, lang, 10)["results"]
        hit = next(
            (
                i
                for i, r in enumerate(results, 1)
                if r["id"] == want_id and r.get("lang", lang) == want_lang
            ),
            None,
        )
        out.append(hit)
    return out


def share(found: list[int | None], top: int) -> float:
    return sum(1 for r in found if r is not None and r <= top) / len(found) if found else 0.0


def figure(found: list[int | None]) -> str:
    return f"{share(found, TOP):.0%} in the top {TOP}, {share(found, 1):.0%} first (n={len(found)})"


def run(args) -> list[dict]:
    base = corpora_dir(args.quick)
    if base is None or not (base / EN).is_dir() or not (base / IT).is_dir():
        return [{"name": "languages", "figure": "Adobe corpora not found", "goal": "", "ok": False}]
    en, it = corpus_docs(base, EN), corpus_docs(base, IT)
    work = Path(args.workdir)
    start = time.perf_counter()
    full = make_project(work / "full", en, it, lambda rel: True)
    build_site(full)
    seconds = time.perf_counter() - start
    site = full.parent / "site"
    known = entries(site)
    pairs = sorted(i for i, lang in known if lang == "it" and (i, "en") in known)
    n_it = sum(1 for _i, lang in known if lang == "it")
    print(f"   full build: {len(known)} texts, {len(pairs)} pairs in {seconds:.1f} s", flush=True)
    engine = SearchEngine(open_published(site))
    it_title = {i: known[(i, "it")]["title"] for i in pairs}
    same_it = ranks(engine, [(it_title[i], "it", i, "it") for i in pairs])
    same_en = ranks(engine, [(known[(i, "en")]["title"], "en", i, "en") for i in pairs])
    in_en_index = ranks(engine, [(it_title[i], "en", i, "en") for i in pairs])
    engine.close()

    removed = set(pairs[1::2])
    paths = {known[(i, "it")]["path"].split("/", 1)[1] for i in removed}
    half = make_project(work / "half", en, it, lambda rel: rel not in paths)
    build_site(half)
    engine = SearchEngine(open_published(half.parent / "site"))
    cross = ranks(engine, [(it_title[i], "it", i, "en") for i in sorted(removed)])
    alone = []  # the ceiling: the untranslated articles alone, ranked by their words
    for i in sorted(removed):
        found, _n = engine._other_languages(it_title[i], "it", 10)
        ids = [engine.stored(d)["id"] for d, _s in found]
        alone.append(ids.index(i) + 1 if i in ids else None)
    kept = [i for i in pairs if i not in removed]
    kept_half = ranks(engine, [(it_title[i], "it", i, "it") for i in kept])
    engine.close()
    kept_full = [r for i, r in zip(pairs, same_it, strict=True) if i not in removed]
    ceiling = share(alone, TOP)
    return [
        {
            "name": "languages: Adobe en+it pairs linked",
            "figure": f"{len(pairs)} of {n_it} Italian texts linked to their English source",
            "goal": "every Italian text",
            "ok": len(pairs) == n_it,
        },
        {
            "name": "languages: Italian title, Italian index",
            "figure": figure(same_it),
            "goal": f">= 90 % in the top {TOP}",
            "ok": share(same_it, TOP) >= 0.9 if not args.quick else None,
        },
        {
            "name": "languages: English title, English index",
            "figure": figure(same_en),
            "goal": f">= 90 % in the top {TOP}",
            "ok": share(same_en, TOP) >= 0.9 if not args.quick else None,
        },
        {
            "name": "languages: Italian title, English index (words)",
            "figure": figure(in_en_index),
            "goal": "reference: ~91 % in the top 5 (issue)",
            "ok": None,
        },
        {
            "name": "languages: Italian query, article only in English",
            "figure": f"{figure(cross)}; among untranslated articles alone: {figure(alone)}",
            "goal": f">= 0.85 x the untranslated alone in the top {TOP}",
            "ok": share(cross, TOP) >= 0.85 * ceiling if not args.quick else None,
        },
        {
            "name": "languages: Italian articles beside untranslated ones",
            "figure": f"{figure(kept_half)}; same articles, all translated: {figure(kept_full)}",
            "goal": "no worse than all translated",
            "ok": share(kept_half, TOP) >= share(kept_full, TOP)
            and share(kept_half, 1) >= share(kept_full, 1) - 0.02,
        },
    ]
