"""Build a help center with MkDocs into a temporary folder, then swap it into place."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from mkdocs import exceptions as mkdocs_exceptions
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from kb.core.errors import KbError


@dataclass
class BuildResult:
    site_dir: Path
    seconds: float
    pages: int
    warnings: list[str]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        target = self.errors if record.levelno >= logging.ERROR else self.messages
        target.append(record.getMessage())


def load_project_config(config_file: str | Path | None = None, **overrides) -> MkDocsConfig:
    """Load ``mkdocs.yml``; configuration problems become a KbError naming the file."""
    path = Path(config_file or "mkdocs.yml")
    if not path.exists():
        raise KbError(f"{path}: no such file; run 'kb init DIR' to create a help center")
    collector = _Collect()  # MkDocs logs each bad setting, then raises a bare "Aborted"
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        with open(path, "rb") as fh:
            return load_config(config_file=fh, **overrides)
    except (mkdocs_exceptions.ConfigurationError, mkdocs_exceptions.Abort) as exc:
        details = collector.errors + collector.messages
        if isinstance(exc, mkdocs_exceptions.ConfigurationError) or not details:
            details = [str(exc), *details]
        raise KbError("\n".join(f"{path}: {line}" for line in details)) from None
    except OSError as exc:
        raise KbError(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        logger.removeHandler(collector)


def swap_into_place(new: Path, final: Path) -> None:
    """Replace ``final`` by ``new`` with two renames; the old site is removed afterwards."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.rename(final, old)
    try:
        os.rename(new, final)
    except OSError:
        if old.exists():
            os.rename(old, final)  # put the previous site back
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    config_file: str | Path | None = None,
    *,
    site_dir: str | Path | None = None,
    strict: bool = False,
) -> BuildResult:
    """Build the site; on any failure the previous site is left exactly as it was."""
    start = time.perf_counter()
    config = load_project_config(config_file, strict=strict or None)
    final = Path(site_dir or config.site_dir).resolve()
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    config.site_dir = str(tmp)
    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (mkdocs_exceptions.PluginError, mkdocs_exceptions.BuildError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise KbError(str(exc)) from None
    except mkdocs_exceptions.Abort as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        # MkDocs logs the real error (e.g. kb's PluginError) and raises a bare Abort.
        raise KbError("\n".join(collector.errors) or f"build aborted: {exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        logger.removeHandler(collector)
    pages = sum(1 for _ in tmp.rglob("*.html"))
    swap_into_place(tmp, final)
    return BuildResult(final, time.perf_counter() - start, pages, collector.messages)
