"""Search: quality on real queries, and speed at 10,000 articles (issue 4).

Quality: ``search_eval/`` (Adobe Commerce knowledge base, English and Italian): MRR@10 and
recall@5 of kb's search and of mkdocs-material's built-in search (lunr) on the same queries.
Goals: both at least 0.95 in both languages, and ahead of Material.

Speed, on synthetic articles of realistic length (benchmarks/synth.py):

- full index build of 10,000 articles <= 45 s;
- re-indexing one edited article <= 1 s (incremental update + publication);
- query p95 <= 20 ms through the HTTP API: gunicorn serving ``feedback_api:create_app()``
  on loopback, each request a real TCP connection, search log written; the API's
  ``/health`` answer on the same server is printed beside it as the machine's noise floor.

Baseline in the same run: "naive Whoosh" (StemmingAnalyzer on one field, QueryParser,
default BM25F) indexing the same articles, so a busy machine shows as a ratio too.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

FULL, QUICK = 10_000, 500


def _row(name: str, figure: str, goal: str, ok: bool | None) -> dict:
    print(f"   {name}: {figure}  (goal {goal})", flush=True)
    return {"name": name, "figure": figure, "goal": goal, "ok": ok}


# -- quality -------------------------------------------------------------------------------


def quality(args) -> list[dict]:
    from .search_eval.evaluate import CORPORA, bench_model, evaluate, model_name

    if not (CORPORA / "adobe-commerce-kb-en").is_dir():
        return [_row("search quality", "corpus missing", "../shared/corpora", None)]
    rows = []
    labels = {
        "queries": "main set",
        "heldout": "held-out set",
        "heldout2": "held-out set 2",
        "heldout3": "held-out set 3 (blind)",
        "heldout4": "held-out set 4 (blind)",
    }
    # words only (the default), then with search by meaning when the English model is there
    models = [(None, "")]
    if bench_model() is not None and not args.quick:
        models.append((bench_model(), f" + meaning ({model_name(bench_model())})"))
    for model, how in models:
        for kind in labels:
            for lang in ("en", "it"):
                r = evaluate(lang, kind, model=model)
                kb, mat = r["kb"], r["material"]
                ok = kb.mrr10 >= 0.95 and kb.recall5 >= 0.95 and kb.mrr10 > mat.mrr10
                rows.append(
                    _row(
                        f"search quality{how} {lang}, {labels[kind]} "
                        f"({r['queries']} queries): MRR@10 / recall@5",
                        f"kb {kb.mrr10:.3f} / {kb.recall5:.3f}; Material "
                        f"{mat.mrr10:.3f} / {mat.recall5:.3f}",
                        ">= 0.95 / 0.95, ahead of Material",
                        ok,
                    )
                )
    if len(models) > 1:
        rows += meaning_cost(models[1][0])
    return rows


def meaning_cost(model) -> list[dict]:
    """What search by meaning costs: embedding the English corpus at build time, and the
    query latency in process with and without it (same queries, same run)."""
    from kb.search.index import clear_vectors

    from .search_eval.evaluate import OUT, kb_engine, load_queries

    queries = [
        q.text
        for k in ("queries", "heldout", "heldout2", "heldout3", "heldout4")
        for q in load_queries("en", k)
    ]
    clear_vectors(OUT / "kb-work-en")
    start = time.perf_counter()
    meaning = kb_engine("en", model)
    embed = time.perf_counter() - start
    words = kb_engine("en")  # clears the vectors again: words only
    lat = {}
    for name, engine in (("words", words), ("meaning", meaning)):
        for q in queries[:20]:  # warm-up
            engine.search(q, "en", 10)
        times = []
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q, "en", 10)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        lat[name] = (times[len(times) // 2], times[int(len(times) * 0.95)])
        engine.close()
    n = len(list((OUT / "docs-en").rglob("*.md")))
    return [
        _row(
            f"search by meaning: build-time embedding of {n} articles (incl. index "
            "update and model load)",
            f"{embed:.1f} s",
            "informative",
            None,
        ),
        _row(
            f"search by meaning: query latency in process, p50 / p95 ({len(queries)} queries)",
            f"words {lat['words'][0]:.1f} / {lat['words'][1]:.1f} ms; "
            f"with meaning {lat['meaning'][0]:.1f} / {lat['meaning'][1]:.1f} ms",
            "informative (HTTP p95 goal 20 ms is for the default)",
            None,
        ),
    ]


# -- speed ---------------------------------------------------------------------------------


def _docs(docs_dir: Path):
    from kb.search.documents import from_article

    from kb.core.helpcenter import load_help_center

    hc = load_help_center(docs_dir, with_git=False)
    return hc, [from_article(a, a.path[:-3] + "/") for a in hc.articles]


def naive_whoosh(docs, target: Path) -> float:
    """The baseline: Whoosh as its tutorial shows it, one stemmed text field."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    target.mkdir(parents=True, exist_ok=True)
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True),
        content=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    ix = index.create_in(str(target), schema)
    start = time.perf_counter()
    w = ix.writer()
    for d in docs:
        w.add_document(id=d.id, title=d.title, content=f"{d.title}\n{d.body_text}")
    w.commit()
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queries(n: int, seed: int = 7) -> list[str]:
    from .synth import WORDS

    rng = random.Random(seed)
    words = [w for w in WORDS["en"] if len(w) > 3]
    out = []
    for i in range(n):
        q = rng.sample(words, rng.randint(1, 4))
        if i % 10 == 0:  # a typo now and then
            w = q[0]
            k = rng.randrange(1, len(w) - 1)
            q[0] = w[:k] + w[k + 1 :]
        out.append(" ".join(q))
    return out


def http_latency(site_dir: Path, workdir: Path, n: int) -> tuple[float, float]:
    """(p50, p95) in ms of GET /api/v1/search through gunicorn on loopback."""
    from kb.store.engine import make_engine, upgrade

    db_url = f"sqlite:///{workdir / 'kb.db'}"
    eng = make_engine(db_url)
    upgrade(eng)
    eng.dispose()
    port = _free_port()
    env = dict(
        os.environ,
        KB_PROJECT_DIR=str(workdir),
        KB_SITE_DIR=str(site_dir),
        KB_DATABASE_URL=db_url,
        KB_RATE_LIMIT="off",
        KB_SEARCH_RATE_LIMIT="off",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "kb.feedback_api:create_app()",
        ],
        env=env,
        cwd=workdir,
    )
    try:

        def get_path(path: str) -> float:
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            res = conn.getresponse()
            res.read()
            conn.close()
            if res.status != 200:
                raise RuntimeError(f"{path} answered {res.status}")
            return (time.perf_counter() - t0) * 1000

        def get(q: str) -> float:
            return get_path(f"/api/v1/search?q={quote(q)}&lang=en&limit=10")

        end = time.monotonic() + 60
        while True:
            try:
                get("warm up")
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        queries = _queries(n + 30)
        # warm-up: 30 queries and at least 8 s, the time the server's background warm-up of
        # frequent terms takes on a busy machine (a server is rarely measured cold)
        start = time.monotonic()
        for q in queries[:30]:
            get(q)
        while time.monotonic() - start < 8:
            get(queries[int(time.monotonic() * 1000) % 30])
        times = sorted(get(q) for q in queries[30:])
        health = sorted(get_path("/api/v1/health") for _ in range(100))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        health[int(len(health) * 0.95) - 1],
    )


def speed(args) -> list[dict]:
    from kb.search.index import publish, update_index

    from .synth import write_articles

    n = QUICK if args.quick else FULL
    work = Path(args.workdir)
    docs_dir = work / "articles"
    if not docs_dir.exists():
        write_articles(docs_dir, n)
    hc, docs = _docs(docs_dir)
    rows = []
    index_dir, site = work / "index", work / "site"
    shutil.rmtree(index_dir, ignore_errors=True)
    result = update_index(index_dir, docs, procs=2, limitmb=256)
    publish(index_dir, site)
    baseline = naive_whoosh(docs, work / "naive")
    goal = 45.0 if not args.quick else None
    rows.append(
        _row(
            f"search: full index build, {len(docs)} articles (naive Whoosh {baseline:.1f} s)",
            f"{result.seconds:.1f} s ({baseline / result.seconds:.1f}x faster than naive)",
            "<= 45 s (10,000)",
            None if goal is None else result.seconds <= goal,
        )
    )

    # One article edited: only it is analysed again, then the site's copy is swapped.
    edited = docs[len(docs) // 2]
    path = docs_dir / edited.path
    path.write_text(
        path.read_text(encoding="utf-8") + "\nA new sentence about refunds.\n", encoding="utf-8"
    )
    _hc, docs2 = _docs(docs_dir)
    t0 = time.perf_counter()
    one = update_index(index_dir, docs2)
    publish(index_dir, site)
    secs = time.perf_counter() - t0
    assert one.updated == 1 and one.added == 0, one
    rows.append(
        _row(
            "search: re-index one edited article (update + publish)",
            f"{secs * 1000:.0f} ms",
            "<= 1 s",
            secs <= 1.0,
        )
    )

    load = os.getloadavg()[0]
    p50, p95, health95 = http_latency(site, work, 100 if args.quick else 500)
    rows.append(
        _row(
            f"search: query latency over HTTP, {len(docs)} articles (load {load:.1f})",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (GET /health p95 {health95:.1f} ms)",
            "p95 <= 20 ms",
            None if args.quick else p95 <= 20.0,
        )
    )
    return rows


def run(args) -> list[dict]:
    print(f"   load average: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)
    return quality(args) + speed(args)
