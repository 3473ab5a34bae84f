"""``kb translations`` on a bilingual help center of 2 x 3,000 articles in a git repository.

A fresh clone (no ``.kb/revisions.json``), so every outdated translation is decided from the
source's git history, the worst case. The Italian sources are committed, then 5 % of them are
rewritten in a second commit; the English side has translations made from the first texts
(``source_revision``), 5 % without ``source_revision`` (git dates decide) and 5 % missing.
``kb translations --format json`` runs as a user runs it (a new process). The same-run
baseline is ``kb check`` on the same project. Goal: under 3 s, judged on the command's CPU
time (user + system), which a busy shared machine does not inflate; wall-clock is printed too.

    python -m benchmarks --only translations [--quick]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from kb.core.content import revision_of

GOAL_SECONDS = 3.0


def _git(cwd: Path, *args: str, date: str = "2026-05-01T10:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def _body(words: str, i: int) -> str:
    return "\n\n".join(f"{words} {i} " + " ".join(f"w{i}x{k}" for k in range(40)) for _ in range(3))


def make_project(work: Path, n: int) -> Path:
    project = work / f"bilingual-{n}"
    if (project / ".git").exists():
        return project
    (project / "articles").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(
        "site_name: Bench\ndocs_dir: articles\ntheme:\n  name: material\n  language: it\n"
        "plugins:\n  - kb:\n      languages: [it, en]\n",
        encoding="utf-8",
    )
    _git(project, "init", "-q")
    step = 20  # every 20th article: rewritten, without source_revision, or untranslated
    for i in range(n):
        folder = f"cat{i % 30}"
        title, body = f"Articolo {i}", _body("testo italiano", i)
        src = project / "articles" / "it" / folder / f"a{i}.md"
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(f"---\nid: a-{i}\ntitle: {title}\n---\n{body}\n", encoding="utf-8")
        if i % step == 3:
            continue  # missing in English
        made = "" if i % step == 2 else f"source_revision: {revision_of(title, body)}\n"
        dst = project / "articles" / "en" / folder / f"a{i}.md"
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(
            f"---\ntitle: Article {i}\n{made}---\n{_body('english text', i)}\n", encoding="utf-8"
        )
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "first texts")
    for i in range(n):
        if i % step in (1, 2):  # a rewrite of the source
            src = project / "articles" / "it" / f"cat{i % 30}" / f"a{i}.md"
            src.write_text(
                f"---\nid: a-{i}\ntitle: Articolo {i}\n---\n{_body('riscritto', i * 7 + 1)}\n",
                encoding="utf-8",
            )
    _git(project, "commit", "-q", "-a", "-m", "rewrites", date="2026-06-02T10:00:00+00:00")
    return project


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _kb(project: Path, *args: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall-clock s, CPU s, the finished process) of one kb command in a new process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    cpu = _cpu()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", "from kb.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=600,
    )
    return time.perf_counter() - start, _cpu() - cpu, out


def run(args) -> list[dict]:
    n = 600 if args.quick else 3000
    project = make_project(Path(args.workdir) / "translations", n)
    took, cpu, out = _kb(project, "translations", "--format", "json")
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    doc = json.loads(out.stdout)
    counts: dict[str, int] = {}
    for a in doc["articles"]:
        st = a["translations"]["en"]["status"]
        counts[st] = counts.get(st, 0) + 1
    check_took, check_cpu, _ = _kb(project, "check")
    print(f"   en: {counts}; wall-clock {took:.2f} s, kb check {check_took:.2f} s", flush=True)
    expected_outdated = sum(1 for i in range(n) if i % 20 in (1, 2))
    return [
        {
            "name": f"kb translations, 2 x {n:,} articles in git (fresh clone)",
            "figure": f"{cpu:.2f} s CPU ({cpu / check_cpu:.2f}x kb check's {check_cpu:.2f} s)",
            "goal": f"< {GOAL_SECONDS:.0f} s",
            "ok": cpu < GOAL_SECONDS and counts.get("outdated") == expected_outdated,
        }
    ]


if __name__ == "__main__":
    from benchmarks.__main__ import main as bench_main

    sys.exit(bench_main(["--only", "translations", *sys.argv[1:]]))
