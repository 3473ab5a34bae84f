"""``make bench``: run every ``benchmarks/bench_*.py`` and print one table of figures.

Each module defines ``run(args) -> list[dict]``; a dict has ``name`` (what was measured),
``figure`` (the measured value, as text), ``goal`` (the target, as text) and ``ok`` (bool,
or None for a figure without a goal, e.g. at --quick sizes). Modules read ``args.quick``
(small smoke sizes), ``args.workdir`` (a scratch folder of their own) and ``args.keep``.

    python -m benchmarks                 # everything, full sizes
    python -m benchmarks --quick         # smoke sizes: the harness and the code paths work
    python -m benchmarks --only build    # modules whose name contains "build"

Timings on a shared machine are noisy: each benchmark compares against a baseline measured
in the same run, and the table starts with the machine's load average.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


def table(rows: list[dict]) -> str:
    head = ("benchmark", "figure", "goal", "ok")
    body = [
        (
            str(r.get("name", "?")),
            str(r.get("figure", "")),
            str(r.get("goal", "")),
            {True: "yes", False: "NO", None: "-"}.get(r.get("ok"), str(r.get("ok"))),
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*head), line.format(*("-" * w for w in widths))]
    out += [line.format(*row) for row in body]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small smoke sizes")
    ap.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only benchmark modules whose name contains NAME (repeatable)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="scratch folder (default: a temporary folder, removed afterwards)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--list", action="store_true", help="list the benchmark modules and stop")
    args = ap.parse_args(argv)

    names = discover()
    if args.only:
        names = [n for n in names if any(o in n for o in args.only)]
    if args.list or not names:
        print("\n".join(names) or "no benchmark matches")
        return 0 if names or args.list else 2

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    own_tmp = args.workdir is None
    root = Path(tempfile.mkdtemp(prefix="kb-bench-")) if own_tmp else args.workdir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    print(
        f"kb benchmarks{' (quick)' if args.quick else ''}; load average at start: {load_average()}",
        flush=True,
    )
    rows: list[dict] = []
    start = time.perf_counter()
    try:
        for name in names:
            print(f"\n== {name}", flush=True)
            sub = argparse.Namespace(**vars(args))
            sub.workdir = root / name
            sub.workdir.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            try:
                module = importlib.import_module(f"benchmarks.{name}")
                got = module.run(sub) or []
            except Exception:  # one broken benchmark must not hide the others' figures
                traceback.print_exc()
                got = [
                    {
                        "name": f"{name}: crashed",
                        "figure": "see traceback above",
                        "goal": "runs",
                        "ok": False,
                    }
                ]
            rows += got
            print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        if own_tmp and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        elif args.keep:
            print(f"scratch kept in {root}")
    print(f"\nload average at end: {load_average()}; {time.perf_counter() - start:.0f} s in all\n")
    print(table(rows))
    failed = [r for r in rows if r.get("ok") is False]
    if failed:
        print(f"\n{len(failed)} goal(s) not met", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
