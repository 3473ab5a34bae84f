"""Writers' commands: init, new, check, build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path

import click
from mkdocs.structure.files import get_files

from kb.cli.options import config_option
from kb.core import checks, containment, i18n, revisions
from kb.core.content import LANGS, TYPES
from kb.core.errors import Finding, KbError
from kb.core.helpcenter import load_help_center
from kb.core.paths import display_path
from kb.core.scaffold import PLACEHOLDER_SITE_URL, init_project, new_article
from kb.core.scaffold_languages import new_translation
from kb.core.translation_status import check_translations
from kb.plugin.builder import build_site, load_project_config
from kb.plugin.site_mode import keeps_site
from kb.search import settings as search_checks


def _fail(exc: KbError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.command()
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@click.option(
    "--lang",
    "langs",
    type=click.Choice(LANGS),
    multiple=True,
    help="Language of the site and of the sample articles (default: en). Repeat it for "
    "several languages in one help center, the default first: --lang it --lang en.",
)
@click.option(
    "--site-url",
    default=None,
    metavar="URL",
    help=f"The help center's public address (default: {PLACEHOLDER_SITE_URL}, to change).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing mkdocs.yml and samples.")
def init(directory: str, langs: tuple[str, ...], site_url: str | None, force: bool) -> None:
    """Create a new help center in DIRECTORY with sample articles."""
    try:
        written = init_project(
            Path(directory),
            langs[0] if langs else "en",
            force=force,
            site_url=site_url,
            languages=langs if len(set(langs)) > 1 else (),
        )
    except KbError as exc:
        raise _fail(exc) from None
    click.echo(f"Created a help center in {directory} ({len(written)} files).")
    if not site_url:
        click.echo(
            f"site_url in mkdocs.yml is {PLACEHOLDER_SITE_URL}: set the public address "
            "before publishing (sitemap.xml and canonical links use it)."
        )
    click.echo(f"Next: cd {directory} && kb serve")


@click.command()
@click.argument("title")
@click.option(
    "--type",
    "kind",
    type=click.Choice(TYPES),
    default="faq",
    show_default=True,
    help="Article type.",
)
@click.option(
    "--category", default=None, help="Category: the folder under articles/ the article goes into."
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    help="Language of the article (default: the site's).",
)
@click.option("--owner", default=None, help="Who keeps the article up to date.")
@click.option(
    "--step",
    type=click.IntRange(min=1),
    default=None,
    help="Onboarding only: the article's step in its guide (default: after the guide's last step).",
)
@click.option(
    "--translation-of",
    "source",
    default=None,
    metavar="ID_OR_PATH",
    help="Start the --lang translation of this article (its id, or its path under articles/): "
    "its front matter and text copied, TITLE as the translated title.",
)
@config_option
def new(title, kind, category, lang, owner, step, source, config_file) -> None:
    """Write a new article called TITLE with complete front matter and a new id."""
    try:
        config = load_project_config(config_file)
        site_lang = str(config.theme.get("language") or "en")
        kb_conf = config.plugins.get("kb")
        languages = kb_conf.config.languages if kb_conf else []
        docs_dir = Path(config.docs_dir)
        if source is not None:
            if not languages or not lang:
                raise KbError("--translation-of needs --lang and the 'languages' setting")
            hc = load_help_center(docs_dir, languages=languages, with_git=False)
            path = new_translation(docs_dir, hc.articles, source, lang, title)
            click.echo(display_path(path))
            return
        lang = lang or (languages[0] if languages else site_lang)
        path = new_article(
            docs_dir / lang if languages else docs_dir,  # each language its own folder
            title,
            kind=kind,
            category=category,
            lang=lang if lang in LANGS else "en",
            owner=owner,
            step=step,
        )
    except KbError as exc:
        raise _fail(exc) from None
    click.echo(display_path(path))
    folder = path.parent.relative_to(Path(config.docs_dir)).as_posix()
    if kb_conf and folder != "." and folder not in kb_conf.config.categories:
        click.echo(
            f"note: category '{folder}' has no title in {config_file}; add it under "
            "plugins: kb: categories (see docs/configuration.md)",
            err=True,
        )


class _ConfigWarnings(logging.Handler):
    """MkDocs' warnings while it reads mkdocs.yml (e.g. a misspelt kb setting)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def _language_findings(config, where: str) -> list[Finding]:
    """kb's words in the site's language: a wrong 'strings' setting, a language kb has no
    words in and the site gives none (kb/core/i18n.py)."""
    kb_conf = config.plugins.get("kb")
    if kb_conf is None:
        return []
    strings = kb_conf.config.strings
    out = [Finding(where, 1, "error", p) for p in i18n.strings_problems(strings)]
    own_site = keeps_site(kb_conf.config.structure, config.nav)
    keys = i18n.SITE_KEYS if own_site else tuple(i18n.STRINGS["en"])
    for lang in kb_conf.config.languages or [_default_lang(config)]:
        problem = i18n.language_problem(str(lang).lower(), strings, keys)
        if problem:
            out.append(Finding(where, 1, "warning", problem))
    return out


def _default_lang(config) -> str:
    """The language of pages without 'lang': the kb plugin's 'lang', else the theme's."""
    kb_conf = config.plugins.get("kb")
    lang = (kb_conf.config.lang if kb_conf else None) or config.theme.get("language") or "en"
    return str(lang).strip().lower()


def run_checks(config_file: str, today: dt.date | None = None):
    """Check the help center named by ``config_file``: (findings, docs prefix, help center)."""
    handler = _ConfigWarnings()
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(handler)
    try:
        config = load_project_config(config_file)
    finally:
        mk_log.removeHandler(handler)
    config_findings = [
        Finding(display_path(config_file), 1, "warning", message) for message in handler.messages
    ]
    config_findings += containment.escaping_nav(config.nav, display_path(config_file))
    config_findings += search_checks.check_config(config)
    config_findings += _language_findings(config, display_path(config_file))
    config_findings += checks.check_site_url(
        config.site_url, display_path(config_file), _config_text(config.config_file_path)
    )
    docs_dir = Path(config.docs_dir)
    try:
        files = get_files(config)
    except OSError as exc:
        raise KbError(f"{docs_dir}: cannot list the articles: {exc.strerror}") from None
    md = [f.src_uri for f in files.documentation_pages()]
    kb_conf = config.plugins.get("kb")
    categories = kb_conf.config.categories if kb_conf else {}
    lang = _default_lang(config)
    languages = kb_conf.config.languages if kb_conf else []
    hc = load_help_center(
        docs_dir, md, categories=categories, default_lang=lang, languages=languages
    )
    findings = checks.check_help_center(hc, docs_dir, (f.src_uri for f in files), today=today)
    if languages and kb_conf:
        history = revisions.read_history(
            revisions.project_history_path(Path(config.config_file_path).resolve().parent)
        )
        findings += check_translations(
            hc.articles,
            languages,
            history,
            docs_dir=docs_dir,
            missing=kb_conf.config.missing_translations,
            rewrite_similarity=kb_conf.config.review.rewrite_similarity,
        )
        findings.sort()
    prefix = display_path(docs_dir) + "/"
    return config_findings + [_prefixed(f, prefix) for f in findings], hc


def _config_text(path: str | None) -> str:
    try:
        return Path(path).read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return ""


def _prefixed(f: Finding, prefix: str) -> Finding:
    return dataclasses.replace(f, path=prefix + f.path)


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any finding).")
@config_option
def check(strict: bool, config_file: str) -> None:
    """Check every article; print each problem as path:line: level: message."""
    try:
        findings, hc = run_checks(config_file)
    except KbError as exc:
        raise _fail(exc) from None
    except OSError as exc:  # anything the loaders did not turn into a finding
        raise click.ClickException(f"{exc.filename or config_file}: {exc.strerror}") from None
    for f in findings:
        level = "error" if strict else f.level
        click.echo(f"{f.path}:{f.line}: {level}: {f.message}")
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    if strict:
        errors, warnings = errors + warnings, 0
    n = len(hc.articles)
    click.echo(
        f"{n} article{'s' * (n != 1)} checked: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}",
        err=True,
    )
    if errors:
        raise SystemExit(1)


@click.command()
@click.option("--strict", is_flag=True, help="Stop on warnings too (MkDocs strict mode).")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the site (default: site_dir of mkdocs.yml).",
)
@config_option
def build(strict: bool, site_dir: str | None, config_file: str) -> None:
    """Build the static help center; a failed build leaves the previous site untouched."""
    try:
        result = build_site(config_file, site_dir=site_dir, strict=strict)
    except KbError as exc:
        raise _fail(exc) from None
    for message in result.warnings[:50]:
        click.echo(f"warning: {message}", err=True)
    if len(result.warnings) > 50:
        click.echo(f"... and {len(result.warnings) - 50} more warnings", err=True)
    where = display_path(result.site_dir)
    click.echo(f"Built {result.pages} pages into {where} in {result.seconds:.1f} s.")
