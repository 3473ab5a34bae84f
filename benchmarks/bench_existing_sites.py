"""kb added to real mkdocs-material sites: build time, navigation kept, where the widget went.

Goal (issue 14): on each site, ``mkdocs build`` with ``kb`` added to its plugins (and nothing
else changed) takes at most 1.3x the build without kb, measured side by side in this run; the
navigation links (title and target) and the ``<title>`` of every page are byte-equal.

The whole sites are not in the repository: give a folder with one sub-folder per site, each
holding the site's files as its repository has them (``mkdocs.yml`` at the top or in
``docs/``) and a ``SOURCE`` file, one line ``owner/name commit`` (a git checkout works too: its
HEAD is the commit)::

    KB_EXISTING_SITES=/path/to/sites make bench BENCH_ARGS="--only existing_sites"

Without it the benchmark measures the small slices of five such sites that the tests keep
(``tests/fixtures/sites``, each with a ``SOURCE.md``): the same shapes, a few pages each.
The sites' own plugins must be installed in the same environment (for example
``pip install mkdocs-glightbox``). Each build is a fresh ``mkdocs build`` process, the two
kinds alternating; each figure is the fastest of three runs (one with ``--quick``), since noise
on a shared machine only ever adds time. kb's builds are cold: no ``.kb/`` cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from kb.dev.site_compare import compare_sites, first_difference, site_pages, with_kb

from .bench_build import MKDOCS, Timing, timed

ENV = "KB_EXISTING_SITES"
SLICES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sites"
GOAL = 1.3
CONFIGS = ("mkdocs.yml", "mkdocs.yaml", "docs/mkdocs.yml", "docs/mkdocs.yaml")


def find_sites(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and config_of(p) is not None)


def config_of(site: Path) -> Path | None:
    return next((site / c for c in CONFIGS if (site / c).is_file()), None)


def source_of(site: Path) -> tuple[str, str]:
    """``(repository, commit)`` from the SOURCE file, else from the git checkout."""
    source = site / "SOURCE"
    if source.is_file():
        repo, _, commit = source.read_text(encoding="utf-8").strip().partition(" ")
        return repo, commit.strip()
    if (site / "SOURCE.md").is_file():  # the test slices' '- Repository: URL', '- Commit: SHA'
        text = (site / "SOURCE.md").read_text(encoding="utf-8")
        repo = re.search(r"^- Repository: https://github\.com/(\S+)$", text, re.M)
        commit = re.search(r"^- Commit: (\S+)$", text, re.M)
        return (repo[1] if repo else site.name), (commit[1] if commit else "?")
    done = subprocess.run(
        ["git", "-C", str(site), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    return site.name, done.stdout.strip() if done.returncode == 0 else "?"


def prepare(site: Path, work: Path) -> tuple[Path, Path]:
    """Two copies of the site: as it is, and with kb added to its plugins."""
    plain, kb = work / "plain", work / "kb"
    for target in (plain, kb):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(site, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    config = config_of(kb)
    assert config is not None
    config.write_text(with_kb(config.read_text(encoding="utf-8")), encoding="utf-8")
    return plain, kb


def build(copy: Path, out: Path) -> Timing:
    shutil.rmtree(copy / ".kb", ignore_errors=True)  # cold, as in a fresh clone
    shutil.rmtree(out, ignore_errors=True)
    config = config_of(copy)
    assert config is not None
    return timed([*MKDOCS, "build", "-q", "-f", str(config), "-d", str(out)], copy)


def measure(site: Path, work: Path, runs: int) -> dict:
    plain, kb = prepare(site, work)
    out_plain, out_kb = work / "site-plain", work / "site-kb"
    times: dict[str, list[Timing]] = {"plain": [], "kb": []}
    for _ in range(runs):  # side by side: one of each, alternating
        times["plain"].append(build(plain, out_plain))
        times["kb"].append(build(kb, out_kb))
    before = min(times["plain"], key=float)
    after = min(times["kb"], key=float)
    cmp = compare_sites(out_plain, out_kb)
    detail = ""
    if cmp.nav_differs or cmp.title_differs:
        page = (cmp.nav_differs or cmp.title_differs)[0]
        a, b = site_pages(out_plain)[page], site_pages(out_kb)[page]
        detail = f"{page}: {first_difference(a, b)}"
    elif cmp.only_in_one:
        detail = f"in one build only: {', '.join(cmp.only_in_one[:3])}"
    return {
        "site": site.name,
        "source": source_of(site),
        "pages": cmp.pages,
        "before": before,
        "after": after,
        "identical": cmp.identical,
        "widget": len(cmp.widget),
        "detail": detail,
    }


def table(results: list[dict]) -> str:
    head = ("site", "commit", "pages", "before s", "after s", "ratio", "cpu ratio", "nav", "widget")
    rows = [
        (
            f"{r['site']} ({r['source'][0]})",
            r["source"][1][:9],
            str(r["pages"]),
            f"{r['before']:.2f}",
            f"{r['after']:.2f}",
            f"{r['after'] / r['before']:.2f}x",
            f"{r['after'].cpu / r['before'].cpu:.2f}x" if r["before"].cpu else "-",
            "identical" if r["identical"] else "DIFFERS",
            f"{r['widget']} of {r['pages']}",
        )
        for r in results
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(
        [line.format(*head), line.format(*("-" * w for w in widths))]
        + [line.format(*row) for row in rows]
    )


def run(args) -> list[dict]:
    root = Path(os.environ.get(ENV) or SLICES)
    if not root.is_dir():
        raise SystemExit(f"{ENV}={root}: no such folder")
    print(
        f"   sites from {root}" + ("" if os.environ.get(ENV) else f" (set {ENV} for whole sites)")
    )
    runs = 1 if args.quick else 3
    results = []
    for site in find_sites(root):
        print(f"   {site.name} ...", flush=True)
        try:
            results.append(measure(site, Path(args.workdir) / site.name, runs))
        except RuntimeError as exc:  # a build failed: its output is the figure
            print(str(exc)[-3000:])
            results.append({"site": site.name, "failed": True})
    measured = [r for r in results if not r.get("failed")]
    print(table(measured))
    for r in measured:
        if r["detail"]:
            print(f"   {r['site']}: {r['detail']}")
    rows = []
    for r in results:
        if r.get("failed"):
            rows.append(
                {
                    "name": f"{r['site']}: build with kb",
                    "figure": "failed",
                    "goal": "builds",
                    "ok": False,
                }
            )
            continue
        ratio = r["after"] / r["before"]
        rows.append(
            {
                "name": f"{r['site']}: build with kb / without",
                "figure": f"{ratio:.2f}x ({r['before']:.1f} s -> {r['after']:.1f} s)",
                "goal": f"<= {GOAL}x",
                "ok": None if args.quick else ratio <= GOAL,
            }
        )
        rows.append(
            {
                "name": f"{r['site']}: navigation and titles",
                "figure": "identical" if r["identical"] else f"differ ({r['detail']})",
                "goal": "identical",
                "ok": r["identical"],
            }
        )
    return rows
