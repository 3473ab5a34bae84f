"""How kb shows a path to a person: relative to the current folder when it is inside it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike[str] | None, default: str = "mkdocs.yml") -> str:
    """``path`` relative to the current folder (POSIX slashes), else as given."""
    if not path:
        return default
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def display_dir(path: str | os.PathLike[str]) -> str:
    """A folder as a prefix for the files in it: ``docs/``, or ``""`` for the current one."""
    try:
        rel = Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return f"{path}/"
    return f"{rel.as_posix()}/" if str(rel) != "." else ""
