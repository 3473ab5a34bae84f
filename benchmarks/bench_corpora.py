"""Real knowledge bases: every corpus in ../shared/corpora builds with kb and passes kb check
without a crash; the 3,025-article Italian corpus builds in at most 60 s.

Each corpus is read in place (never copied): a temporary project's mkdocs.yml points
``docs_dir`` at the corpus folder (absolute path) and ``site_dir`` into the scratch folder.
``--quick`` builds the small slices in tests/fixtures/corpora instead.
Set ``KB_CORPORA`` to use another folder of corpora.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from .synth import dir_size

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-c", "import sys; from kb.cli import main; sys.exit(main())"]
BIG = "m365-alchemyinsights-it"
BIG_GOAL_S = 60.0


def corpora_dir(quick: bool) -> Path | None:
    if quick:
        return ROOT / "tests" / "fixtures" / "corpora"
    for candidate in (
        os.environ.get("KB_CORPORA"),
        ROOT.parent / "shared" / "corpora",
        ROOT.parent.parent / "shared" / "corpora",
    ):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def project_for(corpus: Path, work: Path, docs: Path) -> Path:
    lang = "it" if corpus.name.endswith("-it") else "en"
    conf = {
        "site_name": corpus.name,
        "docs_dir": str(docs.resolve()),
        "site_dir": str((work / "site").resolve()),
        "theme": {"name": "material", "language": lang},
        "plugins": [{"search": {"lang": lang}}, "kb"],
    }
    work.mkdir(parents=True, exist_ok=True)
    config = work / "mkdocs.yml"
    config.write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
    return config


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_kb(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds and the finished process; ``run_kb.cpu``: its CPU seconds."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run([*KB, *args], cwd=cwd, capture_output=True, text=True, env=env)
    run_kb.cpu = _children_cpu() - cpu
    return time.perf_counter() - start, proc


def finding_kinds(output: str) -> Counter:
    """``path:line: level: message`` lines, grouped by level and the message's first words."""
    kinds: Counter = Counter()
    for line in output.splitlines():
        m = re.match(r"^.+?:\d+: (error|warning): (.+)$", line)
        if m:
            words = re.sub(r"'[^']*'", "X", m.group(2)).split(":")[0].split()[:3]
            kinds[f"{m.group(1)} {' '.join(words)}"] += 1
    return kinds


def run(args) -> list[dict]:
    work = Path(args.workdir)
    base = corpora_dir(args.quick)
    if base is None:
        return [
            {
                "name": "corpora",
                "figure": "../shared/corpora not found (set KB_CORPORA)",
                "goal": "all four build",
                "ok": False,
            }
        ]
    rows = []
    for corpus in sorted(p for p in base.iterdir() if p.is_dir()):
        docs = corpus / "docs" if (corpus / "docs").is_dir() else corpus
        n_md = sum(1 for _ in docs.rglob("*.md"))
        config = project_for(corpus, work / corpus.name, docs)
        load = os.getloadavg()[0]
        seconds, proc = run_kb(["build", "-f", str(config)], config.parent)
        cpu = run_kb.cpu
        crashed = "Traceback" in proc.stderr + proc.stdout
        built = re.search(r"Built (\d+) pages", proc.stdout)
        warnings = len(re.findall(r"^warning: ", proc.stderr, re.M))
        more = re.search(r"and (\d+) more warnings", proc.stderr)
        warnings += int(more.group(1)) if more else 0
        size = dir_size(work / corpus.name / "site") if proc.returncode == 0 else 0
        print(
            f"   {corpus.name}: {n_md} Markdown files, kb build exit {proc.returncode} in "
            f"{seconds:.1f} s (load {load:.1f}), {warnings} MkDocs warnings",
            flush=True,
        )
        if proc.returncode != 0:
            print("   " + (proc.stderr or proc.stdout)[-2000:].replace("\n", "\n   "))
        rows.append(
            {
                "name": f"corpus {corpus.name}: kb build",
                "figure": (
                    f"{built.group(1) if built else '?'} pages from {n_md} files in "
                    f"{seconds:.1f} s, {size / 1e6:.0f} MB, {warnings} link warnings"
                ),
                "goal": "builds, no crash",
                "ok": proc.returncode == 0 and not crashed,
            }
        )
        if corpus.name == BIG and not args.quick:
            rows.append(
                {
                    "name": f"corpus {corpus.name}: build time",
                    "figure": f"{seconds:.1f} s ({cpu:.1f} s CPU; load average "
                    f"{load:.1f} at start)",
                    "goal": f"<= {BIG_GOAL_S:.0f} s",
                    "ok": seconds <= BIG_GOAL_S,
                }
            )

        c_seconds, check = run_kb(["check", "-f", str(config)], config.parent)
        crashed = "Traceback" in check.stderr + check.stdout
        summary = (check.stderr.strip().splitlines() or ["?"])[-1]
        kinds = finding_kinds(check.stdout)
        top = ", ".join(f"{n} {k}" for k, n in kinds.most_common(4))
        print(
            f"   kb check: exit {check.returncode} in {c_seconds:.1f} s: {summary}; {top}",
            flush=True,
        )
        rows.append(
            {
                "name": f"corpus {corpus.name}: kb check",
                "figure": summary.replace(" articles checked", " articles"),
                "goal": "no traceback",
                "ok": check.returncode in (0, 1) and not crashed,
            }
        )
    return rows
