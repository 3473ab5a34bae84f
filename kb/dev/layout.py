"""The installed layout of kb as a folder tree, for tools that read source folders by name.

The repository keeps ``search/``, ``feedback_api/`` and ``theme/`` beside ``kb/``; installed,
they are ``kb.search``, ``kb.feedback_api`` and ``kb.theme`` (``[tool.setuptools.package-dir]``).
import-linter and mypy find a package's modules by walking one folder, so ``make lint`` first
builds ``.kb/layout/kb``: a folder of symbolic links shaped as installed, then runs both there::

    python -m kb.dev.layout .kb/layout
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# installed name under kb -> the repository's folder
MAPPED = {"search": "search", "feedback_api": "feedback_api", "theme": "theme"}


def make_layout(target: Path, root: Path = ROOT) -> Path:
    """Make ``target/kb`` mirror the installed package; returns it."""
    pkg = target / "kb"
    if pkg.exists() or pkg.is_symlink():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    for entry in sorted((root / "kb").iterdir()):
        if entry.name == "__pycache__":
            continue
        (pkg / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (pkg / name).symlink_to(root / folder)
    return pkg


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else ".kb/layout")
    print(make_layout(target.resolve()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
