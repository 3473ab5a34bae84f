"""Files replaced in one step: a reader sees the old file or the new one, never half of one.

Every file kb rewrites while readers may be looking (the site's manifest and revisions, the
search index's CURRENT pointer and state, the published vectors) goes through here, so the
temporary-file dance and its permissions live in one place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

# The process' umask, read once (reading it means setting it): the mode a plain open() gives.
_UMASK = os.umask(0)
os.umask(_UMASK)
MODE = 0o666 & ~_UMASK


def replace(path: str | Path, write: Callable[[IO[bytes]], Any]) -> Path:
    """Write ``path`` through a temporary file beside it, then rename it over ``path``.

    The file gets the permissions a plain ``open()`` would give (0666 minus the umask), not
    ``mkstemp``'s 0600: a web server or an API running as another user must read the site's
    files. If ``write`` fails, ``path`` is untouched and the temporary file is removed.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def write_json(path: str | Path, doc: Any, **dump: Any) -> Path:
    """:func:`replace` with ``doc`` as JSON (``dump``: :func:`json.dumps` options)."""
    data = json.dumps(doc, **dump).encode("utf-8")
    return replace(path, lambda fh: fh.write(data))
