"""kb: a help center kept as Markdown in git that learns from its readers.

One import package. The repository's ``search/``, ``feedback_api/`` and ``theme/`` folders are
installed under it as ``kb.search``, ``kb.feedback_api`` and ``kb.theme``
(``docs/architecture.md``).
"""

from importlib.resources import files
from pathlib import Path

# The one place the version is written (pyproject.toml reads it).
__version__ = "0.1.0"


def theme_dir() -> Path:
    """The folder of kb's mkdocs-material overrides (the ``theme/`` folder, ``kb.theme``)."""
    return Path(str(files("kb.theme")))
