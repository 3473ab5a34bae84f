"""The feedback API under load and under faults (issue 3), on gunicorn with 2 workers + SQLite.

1. Throughput: ``GET /api/v1/health`` (the baseline: one SELECT) and ``POST /api/v1/feedback``
   (a vote, or a follow-up updating it) on the same server in the same run, alternating
   rounds so machine noise hits both. Goals: POST >= 0.7x health, POST p99 <= 50 ms at 16
   connections, no non-2xx.
2. Faults: clients post while the server is killed with SIGKILL twice and restarted; then
   every submission that got a 201 must be in ``kb feedback export`` exactly once.

Loopback only; every loop is bounded in time and count. ``--quick`` for a short run.

    python -m benchmarks --only api [--quick]     # or: python -m benchmarks.bench_api
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kb.core.manifest import read_manifest
from kb.core.scaffold import init_project
from kb.plugin.builder import build_site
from kb.store.engine import make_engine, upgrade

CONNECTIONS = 16
LOAD_PROCESSES = 2  # the load generator's own processes, so its GIL is not the bottleneck
MAX_REQUESTS_PER_THREAD = 200_000


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(work: Path) -> tuple[Path, list[str]]:
    """A built sample help center; returns (project, article ids)."""
    project = work / "api-sample"
    if not (project / "mkdocs.yml").exists():
        init_project(project, "en")
    build_site(project / "mkdocs.yml")
    return project, [a["id"] for a in read_manifest(project / "site")["articles"]]


def fresh_database(work: Path, name: str) -> str:
    """An empty, migrated SQLite database (as 'kb db upgrade' makes before a production start)."""
    db = work / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


class Server:
    """``gunicorn -w 2 "kb.feedback_api:create_app()"`` in its own process group."""

    def __init__(self, project: Path, db_url: str, port: int) -> None:
        self.project, self.port = project, port
        self.env = {
            **os.environ,
            "KB_PROJECT_DIR": str(project),
            "KB_DATABASE_URL": db_url,
            # High enough never to refuse the benchmark, so the limiter's cost is in.
            "KB_RATE_LIMIT": "1000000/minute",
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--backlog",
            "2048",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "kb.feedback_api:create_app()",
        ]
        self.proc = subprocess.Popen(cmd, cwd=self.project, env=self.env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                if request("127.0.0.1", self.port, "GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not answer /api/v1/health in time")

    def kill(self) -> None:
        """SIGKILL the master and its workers: no graceful anything."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# --- the load generator ----------------------------------------------------------------------


def request(
    host: str, port: int, method: str, path: str, body: dict | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Connection": "close", "User-Agent": "kb-bench"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def vote_for(rng: random.Random, ids: list[str], previous: dict | None) -> dict:
    """Half new votes, half follow-ups (CES) updating the vote just made, as the widget does."""
    if previous is not None and "ces" not in previous:
        return {**previous, "ces": rng.randint(1, 7)}
    return {
        "article": rng.choice(ids),
        "csat": rng.randint(1, 5),
        "submission": str(uuid.uuid4()),
        "lang": "en",
    }


def clients(seconds: float, threads: int, seed: int, step) -> tuple[Counter, list[float]]:
    """``threads`` client threads, each calling ``step(rng, n, i)`` (one request; returns its
    status) for ``seconds``, at most MAX_REQUESTS_PER_THREAD times: (statuses, latencies)."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        mine: list[float] = []
        codes: Counter = Counter()
        for i in range(MAX_REQUESTS_PER_THREAD):
            if time.perf_counter() >= stop_at:
                break
            t0 = time.perf_counter()
            try:
                status = step(rng, n, i)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            mine.append(time.perf_counter() - t0)
            codes[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return statuses, latencies


def load(
    port: int, kind: str, seconds: float, threads: int, ids: list[str], seed: int
) -> tuple[int, Counter, list[float]]:
    """``threads`` clients hitting one endpoint for ``seconds``; (requests, statuses, latencies)."""
    previous: dict[int, dict | None] = {}

    def step(rng: random.Random, n: int, _i: int):
        if kind == "post":
            previous[n] = vote_for(rng, ids, previous.get(n))
            return request("127.0.0.1", port, "POST", "/api/v1/feedback", previous[n])[0]
        return request("127.0.0.1", port, "GET", "/api/v1/health")[0]

    statuses, latencies = clients(seconds, threads, seed, step)
    return len(latencies), statuses, latencies


def measure(
    pool: ProcessPoolExecutor, port: int, kind: str, seconds: float, ids: list[str], seed: int
) -> tuple[int, float, Counter, list[float]]:
    per = CONNECTIONS // LOAD_PROCESSES
    t0 = time.perf_counter()
    futures = [
        pool.submit(load, port, kind, seconds, per, ids, seed + i) for i in range(LOAD_PROCESSES)
    ]
    results = [f.result() for f in futures]
    elapsed = time.perf_counter() - t0
    statuses: Counter = Counter()
    latencies: list[float] = []
    for _, codes, lat in results:
        statuses.update(codes)
        latencies.extend(lat)
    return len(latencies), elapsed, statuses, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summarize(name: str, acc: dict) -> tuple[int, float, float]:
    """Print one kind of request's totals; its (non-2xx answers, p99 in ms, requests/s)."""
    bad = sum(c for s, c in acc["codes"].items() if not (isinstance(s, int) and s < 300))
    p50, p99 = (percentile(acc["lat"], q) * 1000 for q in (0.5, 0.99))
    rps = acc["n"] / acc["t"]
    print(
        f"   {name}: {acc['n']} requests, {rps:.0f} req/s, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, statuses {dict(acc['codes'])}",
        flush=True,
    )
    return bad, p99, rps


def throughput(project: Path, db_url: str, ids: list[str], quick: bool) -> list[dict]:
    """Many short alternating rounds of health and POST: load from other processes on the
    machine drifts over seconds, so each round's ratio compares like with like; the figure is
    the median of the rounds' ratios."""
    seconds, rounds = (1.0, 3) if quick else (1.5, 10)
    server = Server(project, db_url, free_port())
    server.start()
    totals = {k: {"n": 0, "t": 0.0, "codes": Counter(), "lat": []} for k in ("health", "post")}
    ratios: list[float] = []
    try:
        with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
            measure(pool, server.port, "health", 1.0, ids, 1)  # warm-up: workers, caches
            measure(pool, server.port, "post", 1.0, ids, 2)
            for r in range(rounds):
                rps = {}
                for kind in ("health", "post") if r % 2 == 0 else ("post", "health"):
                    n, t, codes, lat = measure(pool, server.port, kind, seconds, ids, 10 + r)
                    acc = totals[kind]
                    acc["n"] += n
                    acc["t"] += t
                    acc["codes"].update(codes)
                    acc["lat"] += lat
                    rps[kind] = n / t
                ratios.append(rps["post"] / rps["health"])
                print(
                    f"   round {r + 1:2}: health {rps['health']:5.0f} req/s, "
                    f"post {rps['post']:5.0f} req/s, ratio {ratios[-1]:.2f}",
                    flush=True,
                )
    finally:
        server.stop()
    ratio = statistics.median(ratios)
    rows = []
    for kind in ("health", "post"):
        acc = totals[kind]
        bad, p99, rps = summarize(kind, acc)
        rows.append(
            {
                "name": f"API {kind}: p99 at {CONNECTIONS} connections",
                "figure": f"{p99:.1f} ms ({rps:.0f} req/s)",
                "goal": "<= 50 ms" if kind == "post" else "",
                "ok": (p99 <= 50) if kind == "post" else None,
            }
        )
        rows.append(
            {
                "name": f"API {kind}: non-2xx answers",
                "figure": f"{bad} of {acc['n']}",
                "goal": "0",
                "ok": bad == 0,
            }
        )
    rows.append(
        {
            "name": "API POST / GET health throughput (median of rounds)",
            "figure": f"{ratio:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})",
            "goal": ">= 0.70",
            "ok": ratio >= 0.7,
        }
    )
    return rows


# --- faults ----------------------------------------------------------------------------------


def faults(project: Path, db_url: str, ids: list[str], quick: bool, kills: int = 2) -> list[dict]:
    """Post while the server is SIGKILLed ``kills`` times; check the export afterwards."""
    server = Server(project, db_url, free_port())
    server.start()
    acked: dict[str, int] = {}  # submission -> status of its acknowledgement
    sent, failures = Counter(), Counter()
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + 120  # a hard bound, whatever happens

    def client(n: int) -> None:
        rng = random.Random(n)
        vote = None
        while not stop.is_set() and time.monotonic() < deadline:
            vote = vote or {
                "article": rng.choice(ids),
                "csat": rng.randint(1, 5),
                "submission": str(uuid.uuid4()),
            }
            try:
                status, _ = request(
                    "127.0.0.1", server.port, "POST", "/api/v1/feedback", vote, timeout=5
                )
            except (OSError, http.client.HTTPException) as exc:  # killed mid-request
                with lock:
                    failures[type(exc).__name__] += 1
                time.sleep(0.02)
                continue  # like the widget: retry the same submission
            with lock:
                sent[status] += 1
                if status in (200, 201):
                    acked.setdefault(vote["submission"], status)
            if status in (200, 201):
                vote = None
            else:
                time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    pause = 0.7 if quick else 2.0
    try:
        for k in range(kills):
            time.sleep(pause)
            server.kill()
            print(f"   SIGKILL {k + 1}: {len(acked)} votes acknowledged so far", flush=True)
            time.sleep(0.3)
            server.start()
        time.sleep(pause)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.stop()
    exported = export(project, db_url)
    counts = Counter(r["submission"] for r in exported)
    created = {s for s, status in acked.items() if status == 201}
    missing = [s for s in created if counts[s] != 1]
    duplicates = sum(1 for c in counts.values() if c > 1)
    print(f"   posts answered: {dict(sent)}; connection failures: {dict(failures)}", flush=True)
    print(
        f"   acknowledged with 201: {len(created)}, with 200 (retry of a stored vote): "
        f"{len(acked) - len(created)}; rows exported: {len(exported)}",
        flush=True,
    )
    ok = not missing and duplicates == 0 and len(created) > 0
    return [
        {
            "name": f"API faults: 201 votes exported exactly once after {kills} SIGKILLs",
            "figure": f"{len(created) - len(missing)} of {len(created)}, {duplicates} dup.",
            "goal": "all, 0 dup.",
            "ok": ok,
        }
    ]


def export(project: Path, db_url: str) -> list[dict]:
    """What ``kb feedback export`` writes, from the real command."""
    cmd = [
        sys.executable,
        "-c",
        "from kb.cli import main; main()",
        "feedback",
        "export",
        "--db",
        db_url,
    ]
    out = subprocess.run(cmd, cwd=project, capture_output=True, text=True, check=True, timeout=120)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def run(args) -> list[dict]:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    project, ids = prepare(work)
    rows = throughput(project, fresh_database(work, "load"), ids, args.quick)
    rows += faults(project, fresh_database(work, "faults"), ids, args.quick)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workdir", default=None)
    ns = parser.parse_args()
    ns.workdir = ns.workdir or tempfile.mkdtemp(prefix="kb-bench-api-")
    for row in run(ns):
        print(f"{row['name']}: {row['figure']} (goal {row['goal'] or '-'}, ok {row['ok']})")
