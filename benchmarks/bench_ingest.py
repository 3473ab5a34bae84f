"""Ingest of the reader's journey (issue 12): ``POST /api/v1/views`` against ``GET
/api/v1/health`` on the same servers, in the same run.

1. gunicorn with 2 workers on SQLite.
2. Two API instances (gunicorn, 2 workers each) on one PostgreSQL, the documented
   multi-instance deployment; the clients alternate between them as a load balancer would.
   Skipped, with the reason printed, when PostgreSQL does not answer.

Views go to the sample's articles with a long tail (one article takes about a fifth of them:
its day's counter row is the hot row), a random view id each, half of them from readers
already seen that day, and a tenth opened from a search. Health and views alternate in short
rounds so the machine's noise hits both; the figure is the median of the rounds' ratios.
Goals: views >= 0.8x health, views p99 <= 20 ms, no non-2xx. Every view answered 201 must
then be in the counters exactly once (their sum equals the 201s).

Loopback only; every loop is bounded in time and count.

    python -m benchmarks --only ingest [--quick]
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.bench_api import (
    Server,
    clients,
    free_port,
    fresh_database,
    prepare,
    summarize,
)
from kb.store.engine import make_engine, upgrade
from kb.store.tables import view_counts

CONNECTIONS = 8
LOAD_PROCESSES = 2
GOAL_RATIO, GOAL_P99_MS = 0.8, 20.0
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.{n}"


def request(port: int, method: str, path: str, body: dict | None, agent: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Connection": "close", "User-Agent": agent}
        if payload is not None:
            headers["Content-Type"] = "text/plain"  # as navigator.sendBeacon sends it
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def view_for(rng: random.Random, ids: list[str]) -> dict:
    """One beacon: a long tail of articles, most readers from outside, some from a search."""
    article = ids[0] if rng.random() < 0.2 else ids[min(int(rng.paretovariate(1.2)), len(ids)) - 1]
    body = {"id": str(uuid.uuid4()), "article": article, "lang": "en"}
    r = rng.random()
    if r < 0.1:
        body.update(arrival="search", search=uuid.uuid4().hex[:16])
    elif r < 0.35:
        body["arrival"] = "article"
    return body


def load(
    ports: list[int], kind: str, seconds: float, threads: int, ids: list[str], seed: int
) -> tuple[Counter, list[float]]:
    """``threads`` clients on ``ports`` (in turn) for ``seconds``: (statuses, latencies)."""

    def step(rng: random.Random, n: int, i: int):
        port = ports[(n + i) % len(ports)]
        # Half the views come from a reader already seen today (same address and browser).
        reader = rng.randrange(50) if rng.random() < 0.5 else rng.randrange(10**9)
        agent = BROWSER.format(n=reader)
        if kind == "views":
            return request(port, "POST", "/api/v1/views", view_for(rng, ids), agent)
        return request(port, "GET", "/api/v1/health", None, agent)

    return clients(seconds, threads, seed, step)


def measure(pool, ports, kind, seconds, ids, seed) -> tuple[float, Counter, list[float]]:
    per = CONNECTIONS // LOAD_PROCESSES
    t0 = time.perf_counter()
    futures = [
        pool.submit(load, ports, kind, seconds, per, ids, seed + i) for i in range(LOAD_PROCESSES)
    ]
    statuses: Counter = Counter()
    latencies: list[float] = []
    for f in futures:
        codes, lat = f.result()
        statuses.update(codes)
        latencies.extend(lat)
    return time.perf_counter() - t0, statuses, latencies


def compare(label: str, ports: list[int], ids: list[str], quick: bool) -> tuple[list[dict], int]:
    """Alternating rounds of health and views on ``ports``; (rows, views answered 201)."""
    seconds, rounds = (1.0, 3) if quick else (1.5, 10)
    totals = {k: {"n": 0, "t": 0.0, "codes": Counter(), "lat": []} for k in ("health", "views")}
    ratios: list[float] = []
    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        measure(pool, ports, "health", 1.0, ids, 1)  # warm-up: workers, connections, caches
        warm = measure(pool, ports, "views", 1.0, ids, 2)[1][201]
        for r in range(rounds):
            rps = {}
            for kind in ("health", "views") if r % 2 == 0 else ("views", "health"):
                t, codes, lat = measure(pool, ports, kind, seconds, ids, 10 + 2 * r)
                acc = totals[kind]
                acc["n"] += len(lat)
                acc["t"] += t
                acc["codes"].update(codes)
                acc["lat"] += lat
                rps[kind] = len(lat) / t
            ratios.append(rps["views"] / rps["health"])
            print(
                f"   {label} round {r + 1:2}: health {rps['health']:5.0f} req/s, "
                f"views {rps['views']:5.0f} req/s, ratio {ratios[-1]:.2f}",
                flush=True,
            )
    rows = []
    for kind in ("health", "views"):
        acc = totals[kind]
        bad, p99, rps = summarize(f"{label} {kind}", acc)
        goal = kind == "views"
        rows.append(
            {
                "name": f"ingest {label}: {kind} p99 at {CONNECTIONS} connections",
                "figure": f"{p99:.1f} ms ({rps:.0f} req/s)",
                "goal": f"<= {GOAL_P99_MS:.0f} ms" if goal else "",
                "ok": p99 <= GOAL_P99_MS if goal else None,
            }
        )
        if goal:
            rows.append(
                {
                    "name": f"ingest {label}: views non-2xx answers",
                    "figure": f"{bad} of {acc['n']}",
                    "goal": "0",
                    "ok": bad == 0,
                }
            )
    ratio = statistics.median(ratios)
    rows.append(
        {
            "name": f"ingest {label}: views / health throughput (median of rounds)",
            "figure": f"{ratio:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})",
            "goal": f">= {GOAL_RATIO:.2f}",
            "ok": ratio >= GOAL_RATIO,
        }
    )
    return rows, warm + totals["views"]["codes"][201]


def counted(db_url: str, label: str, created: int) -> dict:
    """The counters' sum against the views acknowledged as counted."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.coalesce(func.sum(view_counts.c.views), 0))).scalar()
            cells = conn.execute(select(func.count()).select_from(view_counts)).scalar()
    finally:
        engine.dispose()
    print(f"   {label}: {created} views answered 201, {total} counted in {cells} counter rows")
    return {
        "name": f"ingest {label}: views counted once",
        "figure": f"{total} of {created} ({cells} counter rows)",
        "goal": "all",
        "ok": total == created,
    }


def sqlite(project: Path, work: Path, ids: list[str], quick: bool) -> list[dict]:
    db_url = fresh_database(work, "ingest")
    server = Server(project, db_url, free_port())
    server.start()
    try:
        rows, created = compare("SQLite", [server.port], ids, quick)
    finally:
        server.stop()
    return [*rows, counted(db_url, "SQLite", created)]


def postgres(project: Path, ids: list[str], quick: bool) -> list[dict]:
    base = os.environ.get("KB_BENCH_DATABASE_URL") or os.environ.get("KB_TEST_DATABASE_URL")
    base = base or PG_DEFAULT
    schema = f"kbbench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and go on
        print(f"   PostgreSQL not measured: {str(exc).splitlines()[0]}", flush=True)
        admin.dispose()
        return [{"name": "ingest PostgreSQL x2", "figure": "not measured", "goal": "", "ok": None}]
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    db_url = url.render_as_string(hide_password=False)
    servers: list[Server] = []
    try:
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        servers = [Server(project, db_url, free_port()) for _ in range(2)]
        for s in servers:
            s.start()
        rows, created = compare("PostgreSQL x2", [s.port for s in servers], ids, quick)
        for s in servers:
            s.stop()
        return [*rows, counted(db_url, "PostgreSQL x2", created)]
    finally:
        for s in servers:
            s.stop()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(args) -> list[dict]:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    project, ids = prepare(work)
    return sqlite(project, work, ids, args.quick) + postgres(project, ids, args.quick)
