"""``kb serve``: an edit to one article of a 1,000-article help center shows in the browser.

Starts ``kb serve`` on a synthetic project, opens an article in Debian's Chromium (Playwright,
the same launch as tests/conftest.py), edits the Markdown file and times until the page that is
open shows the new text through live reload: the whole path a writer sees (file watcher, dirty
rebuild, live-reload poll, page reload). Goal: within 2 s. Without Chromium it polls the page
over HTTP instead (the same rebuild, minus the browser's reload) and says so.

It also checks that the search index stays complete across the dirty rebuilds of serve.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .synth import make_project

KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]
GOAL_S = 2.0
EDITS = 5
CHROMIUM = (
    os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - local server
        return resp.read()


def wait_for_server(url: str, proc: subprocess.Popen, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"kb serve exited with {proc.returncode}")
        try:
            get(url, timeout=2)
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"kb serve did not answer {url} in {timeout:.0f} s")


def edit(path: Path, marker: str) -> None:
    """Replace the article's first paragraph by one naming ``marker`` (front matter kept)."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        head, body = "", text
    paragraphs = body.split("\n\n")
    i = next(k for k, p in enumerate(paragraphs) if p.strip() and not p.lstrip().startswith("#"))
    paragraphs[i] = f"Edited while serving: {marker}."
    path.write_text(head + sep + "\n\n".join(paragraphs), encoding="utf-8")


def search_pages(url: str) -> int:
    docs = json.loads(get(url))["docs"]
    return len({d["location"].split("#", 1)[0] for d in docs})


def run(args) -> list[dict]:
    work = Path(args.workdir)
    n = 100 if args.quick else 1000
    project = make_project(work / f"serve-{n}", n)
    article = project.articles[len(project.articles) // 2]
    path = project.docs_dir / article.path
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    page_url = base + article.path[:-3] + "/"
    log = (work / "serve.log").open("w")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen(
        [*KB, "serve", "-f", str(project.config_file), "--port", str(port)],
        cwd=project.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    rows = []
    try:
        startup = wait_for_server(page_url, proc, timeout=300)
        print(f"   kb serve answered after {startup:.1f} s ({n} articles)", flush=True)
        rows.append(
            {
                "name": f"kb serve {n} articles: first build until served",
                "figure": f"{startup:.1f} s",
                "goal": "",
                "ok": None,
            }
        )
        total_pages = search_pages(base + "search/search_index.json")
        times, how = measure_edits(path, page_url, args.quick)
        med, worst = statistics.median(times), max(times)
        print(f"   edit -> {how}: " + ", ".join(f"{t:.2f}" for t in times) + " s", flush=True)
        rows.append(
            {
                "name": f"kb serve {n} articles: edit -> visible ({how})",
                "figure": f"median {med:.2f} s, worst {worst:.2f} s of {len(times)} edits",
                "goal": f"<= {GOAL_S:.0f} s",
                "ok": None if args.quick else med <= GOAL_S,
            }
        )
        after = search_pages(base + "search/search_index.json")
        rows.append(
            {
                "name": f"kb serve {n} articles: search index after dirty rebuilds",
                "figure": f"{after} of {total_pages} pages",
                "goal": "all pages",
                "ok": after >= total_pages,
            }
        )
    finally:
        stop(proc)
        log.close()
    return rows


def stop(proc: subprocess.Popen) -> None:
    """End a server this benchmark started: politely, then for good after 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure_edits(path: Path, page_url: str, quick: bool) -> tuple[list[float], str]:
    edits = 2 if quick else EDITS
    if CHROMIUM is None:
        return [
            _http_edit(path, page_url, f"kb-bench-{i}-{time.time_ns()}") for i in range(edits)
        ], "HTTP poll, no Chromium"
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_url, wait_until="load")
            time.sleep(1.0)  # let the live-reload long poll connect
            for i in range(edits):
                marker = f"kb-bench-{i}-{time.time_ns()}"
                start = time.perf_counter()
                edit(path, marker)
                page.wait_for_function(
                    "m => document.body && document.body.innerText.includes(m)",
                    arg=marker,
                    timeout=30_000,
                    polling=50,
                )
                times.append(time.perf_counter() - start)
                page.wait_for_load_state("load")
                time.sleep(1.0)  # a writer does not save twice a second
        finally:
            browser.close()
    return times, "Chromium live reload"


def _http_edit(path: Path, page_url: str, marker: str) -> float:
    start = time.perf_counter()
    edit(path, marker)
    while time.perf_counter() - start < 30:
        if marker.encode() in get(page_url):
            return time.perf_counter() - start
        time.sleep(0.05)
    raise TimeoutError("the edit did not show in 30 s")
