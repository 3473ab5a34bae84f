"""Lighthouse (mobile) on the demo help center as ``kb serve`` previews it, and an article's weight.

Serves this repository's demo (``mkdocs.yml`` and ``articles/``, copied to the scratch folder)
with ``kb serve --no-livereload`` and runs Lighthouse 12 (``benchmarks/lighthouse/``: package.json
and its lock; ``npm ci`` there installs it) on the home page and an article, in Lighthouse's
default mobile emulation (Moto G Power, slow 4G, 4x CPU slowdown), with Debian's Chromium
(Node 20 and npm needed; the first run installs Lighthouse with ``npm ci``).
Prints the four category scores of each page (goal: 95 or more) and the bytes an article page
transfers on a cold load (Lighthouse's total-byte-weight: every request, compressed as sent;
goal: 120 KB or less), beside the figures of the release before kb compressed, cached and
fingerprinted its files (measured once, on the same demo, with the same Lighthouse).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .bench_serve import CHROMIUM, free_port, stop, wait_for_server

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOOL = HERE / "lighthouse"
LIGHTHOUSE = TOOL / "node_modules" / ".bin" / "lighthouse"
KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SCORE_GOAL = 95
WEIGHT_GOAL = 120_000  # bytes transferred by a cold load of an article page
ARTICLE = "billing/request-a-refund/"
# The same demo, pages and Lighthouse before compression, caching, fingerprinting, lazy search
# and meta descriptions (measured with this benchmark on main at ffb8bc3, 2 CPUs): scores per
# page and the article's weight (11 requests, none compressed).
BEFORE = {
    "home": {"performance": 89, "accessibility": 92, "best-practices": 100, "seo": 91},
    "article": {"performance": 85, "accessibility": 93, "best-practices": 100, "seo": 91},
    "weight": 348_511,
}


def lighthouse(url: str, out: Path) -> dict:
    env = dict(os.environ, CHROME_PATH=str(CHROMIUM))
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(cmd, check=True, env=env, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int]:
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def install() -> None:
    """``npm ci`` in benchmarks/lighthouse/ the first time (the exact versions of its lock)."""
    npm = shutil.which("npm")
    if LIGHTHOUSE.exists() or npm is None:
        return
    print("   installing Lighthouse (npm ci)...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=False, timeout=600)


def run(args) -> list[dict]:
    install()
    if CHROMIUM is None or not LIGHTHOUSE.exists():
        missing = "Chromium" if CHROMIUM is None else f"Lighthouse (npm ci in {TOOL.name}/)"
        print(f"   skipped: {missing} is not installed", flush=True)
        return [{"name": "lighthouse: not run", "figure": f"no {missing}", "goal": "", "ok": None}]
    work = Path(args.workdir)
    project = work / "demo"
    shutil.copytree(REPO / "articles", project / "articles")
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen(
        [*KB, "serve", "--no-livereload", "--port", str(port)],
        cwd=project,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    rows: list[dict] = []
    try:
        wait_for_server(base + ARTICLE, proc, timeout=120)
        pages = {"home": base, "article": base + ARTICLE}
        reports = {k: lighthouse(url, work / f"{k}.json") for k, url in pages.items()}
    finally:
        stop(proc)
        log.close()
    for page, report in reports.items():
        got = scores(report)
        was = BEFORE[page]
        print(f"   {page}: {got} (before: {was})", flush=True)
        rows.append(
            {
                "name": f"lighthouse mobile, {page}: perf/a11y/best/seo",
                "figure": "/".join(str(got[c]) for c in CATEGORIES)
                + " (before "
                + "/".join(str(was[c]) for c in CATEGORIES)
                + ")",
                "goal": f">= {SCORE_GOAL} each",
                "ok": None if args.quick else min(got.values()) >= SCORE_GOAL,
            }
        )
    weight = int(reports["article"]["audits"]["total-byte-weight"]["numericValue"])
    requests = len(reports["article"]["audits"]["network-requests"]["details"]["items"])
    print(f"   article: {weight} bytes in {requests} requests", flush=True)
    rows.append(
        {
            "name": "article page, cold load: bytes transferred",
            "figure": f"{weight / 1000:.0f} KB in {requests} requests"
            f" (before {BEFORE['weight'] / 1000:.0f} KB)",
            "goal": f"<= {WEIGHT_GOAL / 1000:.0f} KB",
            "ok": weight <= WEIGHT_GOAL,
        }
    )
    return rows
