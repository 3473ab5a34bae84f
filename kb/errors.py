"""Errors that users see: each carries the file and line it is about."""

from __future__ import annotations

from dataclasses import dataclass


class KbError(Exception):
    """Base class for every error kb reports to a user (never shown as a traceback)."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a help center, printed as ``path:line: level: message``."""

    path: str
    line: int
    level: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


class ContentError(KbError):
    """An article cannot be read; ``findings`` name every problem with its path and line."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        super().__init__("\n".join(str(f) for f in self.findings))
