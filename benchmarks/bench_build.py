"""Build speed and size: kb against a default mkdocs-material build, and growth with size.

Goals (issue 2), each measured in this run:

- 1,000 articles: ``kb build`` at least 5x faster and 5x smaller than a default Material
  build (plugins: search only, default navigation) of the very same files;
- 500 -> 2,000 articles: kb's build time grows at most 5x (linear would be 4x).

Every build is a fresh process (``kb build`` / ``mkdocs build``), as a writer runs it; each
figure is the fastest of three runs (noise on a shared machine only adds time). kb's figure is a
cold build, as in a fresh clone (no ``.kb/`` caches); a warm rebuild is shown too.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .synth import dir_size, make_project

KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]
MKDOCS = [sys.executable, "-m", "mkdocs"]


class Timing(float):
    """Wall-clock seconds, with ``cpu``: the CPU seconds the build process (and any process it
    waited for) used. On a loaded machine wall time stretches, CPU time much less."""

    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path) -> Timing:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cpu0, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    result = Timing(time.perf_counter() - start)
    result.cpu = _children_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-3:])} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return result


def kb_build(project, *, cold: bool = True) -> float:
    """One ``kb build``; cold: as in a fresh clone, without kb's caches in ``.kb/``
    (compiled templates, the search index's working copy)."""
    if cold:
        shutil.rmtree(project.root / ".kb", ignore_errors=True)
    return timed([*KB, "build", "-f", str(project.config_file)], project.root)


def mkdocs_build(project) -> float:
    return timed([*MKDOCS, "build", "-q", "-f", str(project.config_file)], project.root)


def best(runs: int, fn, *args, **kwargs) -> Timing:
    """The fastest of ``runs`` runs: on a shared machine, noise only ever adds time."""
    return min((fn(*args, **kwargs) for _ in range(runs)), key=float)


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def run(args) -> list[dict]:
    work = Path(args.workdir)
    n = 100 if args.quick else 1000
    small, large = (50, 200) if args.quick else (500, 2000)
    rows = []
    judge = (lambda ok: None) if args.quick else bool  # goals are for full sizes only

    # 1. kb against a default Material build of the same files
    kb_proj = make_project(work / f"kb-{n}", n)
    plain = make_project(work / f"plain-{n}", n, kb=False, docs_dir=kb_proj.docs_dir)
    runs = 1 if args.quick else 3
    t_kb = best(runs, kb_build, kb_proj)
    print(f"   kb build, {n} articles, cold: {t_kb:.2f} s", flush=True)
    t_warm = best(runs, kb_build, kb_proj, cold=False)
    print(f"   kb build, {n} articles, warm: {t_warm:.2f} s", flush=True)
    t_plain = best(runs, mkdocs_build, plain)
    print(f"   default Material build, {n} articles: {t_plain:.2f} s", flush=True)
    s_kb, s_plain = dir_size(kb_proj.root / "site"), dir_size(plain.root / "site")
    speed, size = t_plain / t_kb, s_plain / s_kb
    rows.append(
        {
            "name": f"build {n} articles: kb (cold) vs default Material, time",
            "figure": f"{t_kb:.1f} s vs {t_plain:.1f} s = {speed:.1f}x faster",
            "goal": ">= 5x faster",
            "ok": judge(speed >= 5),
        }
    )
    rows.append(
        {
            "name": f"build {n} articles: kb (cold) vs default Material, CPU time",
            "figure": f"{t_kb.cpu:.1f} s vs {t_plain.cpu:.1f} s = "
            f"{t_plain.cpu / t_kb.cpu:.1f}x less",
            "goal": "(load-independent view)",
            "ok": None,
        }
    )
    rows.append(
        {
            "name": f"build {n} articles: kb rebuild (warm .kb/ caches)",
            "figure": f"{t_warm:.1f} s = {t_plain / t_warm:.1f}x faster than Material",
            "goal": "",
            "ok": None,
        }
    )
    rows.append(
        {
            "name": f"build {n} articles: kb vs default Material, output size",
            "figure": f"{mb(s_kb)} vs {mb(s_plain)} = {size:.1f}x smaller",
            "goal": ">= 5x smaller",
            "ok": judge(size >= 5),
        }
    )

    # 2. growth from `small` to `large` articles
    times = {}
    for count in (small, large):
        proj = make_project(work / f"kb-{count}", count, seed=count)
        times[count] = best(runs, kb_build, proj)
        print(f"   kb build, {count} articles: {times[count]:.2f} s", flush=True)
    growth = times[large] / times[small]
    rows.append(
        {
            "name": f"build growth {small} -> {large} articles ({large // small}x)",
            "figure": f"{times[small]:.1f} s -> {times[large]:.1f} s = {growth:.1f}x",
            "goal": "<= 5x",
            "ok": judge(growth <= 5),
        }
    )
    return rows
