"""The project of a ``mkdocs.yml``, read once through MkDocs (:class:`kb.core.project.Project`)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from kb.core.project import Project, ReviewSettings, WebhookSettings
from kb.plugin.builder import load_project_config


def load_project(config_file: str | Path) -> Project:
    """Read ``config_file`` once; a missing or invalid file raises KbError naming it."""
    return project_of(load_project_config(config_file), config_file)


def project_of(config: MkDocsConfig, config_file: str | Path) -> Project:
    """The :class:`Project` of an already loaded MkDocs configuration."""
    plugin = config.plugins.get("kb")
    options = getattr(plugin, "config", None)
    review = getattr(options, "review", None)
    review_options = dict(review) if review is not None else {}
    lang = getattr(options, "lang", None) or config.theme.get("language") or "en"
    path = Path(config_file).resolve()
    return Project(
        config_file=path,
        project_dir=path.parent,
        site_dir=Path(config.site_dir),
        docs_dir=Path(config.docs_dir),
        lang=str(lang),
        languages=tuple(getattr(options, "languages", None) or ()),
        missing_translations=str(getattr(options, "missing_translations", None) or "warning"),
        review=ReviewSettings.from_mapping(review_options),
        webhooks=WebhookSettings.from_mapping(review_options),
    )
