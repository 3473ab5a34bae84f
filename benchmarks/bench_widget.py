"""The feedback widget's weight: what a reader downloads for it (issue 3).

Goal: its script and style together at most 3.5 KB gzipped (3 KB before the view beacon of
issue 12), measured on the files the build writes (minified by kb/assets.py). Also printed,
without a goal: the same files before minification, and the bytes the widget's markup adds
to an article page (gzipped), so a change that bloats the template shows up next to the
budget.

Sizes are deterministic, so ``--quick`` measures the same thing as a full run.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from kb import theme_dir
from kb.plugin.assets import WIDGET_BUDGET, WIDGET_FILES, gzipped_size, widget_sizes

ARTICLE = "billing/request-a-refund/index.html"


def build_sample(work: Path) -> Path:
    """The sample help center of ``kb init``, built; returns its site folder."""
    from kb.core.scaffold import init_project
    from kb.plugin.builder import build_site

    project = work / "widget-sample"
    if not (project / "mkdocs.yml").exists():
        init_project(project, "en")
    build_site(project / "mkdocs.yml")
    return project / "site"


def markup_bytes(html: str) -> int:
    """Gzipped bytes of the widget's <form> in an article page."""
    match = re.search(r"<form class=\"kb-fb\".*?</form>", html, re.S)
    return gzipped_size(match.group(0).encode()) if match else 0


def run(args) -> list[dict]:
    site = build_sample(Path(args.workdir))
    built = widget_sizes(site / "assets" / "kb")
    source = widget_sizes(theme_dir() / "assets" / "kb")
    total = sum(s["gzip"] for s in built.values())
    best = sum(
        len(gzip.compress((site / "assets" / "kb" / n).read_bytes(), 9)) for n in WIDGET_FILES
    )
    for name in WIDGET_FILES:
        b, s = built[name], source[name]
        print(
            f"   {name}: {b['raw']} B minified, {b['gzip']} B gzipped "
            f"(source {s['raw']} B, {s['gzip']} B gzipped)",
            flush=True,
        )
    html = (site / ARTICLE).read_text(encoding="utf-8")
    return [
        {
            "name": "widget script+style, gzipped",
            "figure": f"{total} B (gzip -9: {best} B)",
            "goal": f"<= {WIDGET_BUDGET} B",
            "ok": total <= WIDGET_BUDGET,
        },
        {
            "name": "widget script+style, unminified source gzipped",
            "figure": f"{sum(s['gzip'] for s in source.values())} B",
            "goal": "",
            "ok": None,
        },
        {
            "name": "widget markup per article page, gzipped",
            "figure": f"{markup_bytes(html)} B",
            "goal": "",
            "ok": None,
        },
    ]


if __name__ == "__main__":  # python -m benchmarks.bench_widget
    import argparse
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(argparse.Namespace(quick=True, workdir=tmp, keep=False)):
            print(f"{row['name']}: {row['figure']}  goal {row['goal'] or '-'}  ok {row['ok']}")
