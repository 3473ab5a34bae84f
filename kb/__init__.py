"""kb: a help center kept as Markdown in git that learns from its readers."""

__version__ = "0.1.0"


def theme_dir():
    """The folder of kb's mkdocs-material overrides (the top-level ``theme`` package)."""
    from importlib.resources import files
    from pathlib import Path

    return Path(str(files("theme")))
