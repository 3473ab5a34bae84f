"""kb's one error hierarchy: every error a user sees, each naming the file it is about.

``KbError`` is a ``click.ClickException``, as MkDocs's ``MkDocsException`` is: a command that
lets one through prints ``Error: <message>`` and exits with status 1, never a traceback. The
feedback API turns the ones it meets into its one JSON error shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click


class KbError(click.ClickException):
    """Base class for every error kb reports to a user (never shown as a traceback)."""


class ConfigError(KbError):
    """A setting (``mkdocs.yml``, ``KB_*`` environment variables, a command's options) is wrong."""


class SiteNotBuilt(KbError):
    """The help center has not been built yet (no manifest, no search index): run ``kb build``."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a help center, printed as ``path:line: level: message``.

    ``blocking``: whether it stops ``kb build`` (``kb build --strict`` stops on every finding).
    The check that makes a finding decides; by default an error blocks and a warning does not.
    """

    path: str
    line: int
    level: str  # "error" or "warning"
    message: str
    blocking: bool = field(default=None, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.blocking is None:
            object.__setattr__(self, "blocking", self.level == "error")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


class ContentError(KbError):
    """An article cannot be read; ``findings`` name every problem with its path and line."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        super().__init__("\n".join(str(f) for f in self.findings))
