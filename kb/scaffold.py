"""``kb init`` and ``kb new``: a new help center, a new article with complete front matter."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib.resources import files
from pathlib import Path

from .content import TYPES, new_id, slugify
from .errors import KbError

MKDOCS_YML = """\
site_name: {site_name}
docs_dir: articles
site_dir: site
theme:
  name: material
  language: {lang}
  features:
    - search.suggest
    - search.highlight
    - content.code.copy
    - navigation.footer
    - navigation.top
  palette:
    primary: indigo
    accent: indigo
plugins:
  - search:
      lang: {lang}
  - kb:
      categories:
{categories}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
validation:
  links:
    absolute_links: relative_to_docs
    anchors: warn
"""

CATEGORIES = {
    "en": [("getting-started", "Getting started", "Set up your account in three steps.", 1),
           ("account", "Account and sign-in", "Passwords, email, two-step verification.", 2),
           ("billing", "Billing", "Plans, invoices, payment methods and refunds.", 3),
           ("troubleshooting", "Troubleshooting", "When something does not work.", 4)],
    "it": [("getting-started", "Per iniziare", "Configura il tuo account in tre passi.", 1),
           ("account", "Account e accesso", "Password, email, verifica in due passaggi.", 2),
           ("billing", "Fatturazione", "Piani, fatture, metodi di pagamento e rimborsi.", 3),
           ("troubleshooting", "Risoluzione dei problemi", "Quando qualcosa non funziona.", 4)],
}
SITE_NAMES = {"en": "Help Center", "it": "Centro assistenza"}


def mkdocs_yml(lang: str, site_name: str | None = None) -> str:
    cats = "\n".join(
        f"        {key}:\n          title: {title}\n          description: {desc}\n          order: {order}"
        for key, title, desc, order in CATEGORIES[lang]
    )
    return MKDOCS_YML.format(site_name=site_name or SITE_NAMES[lang], lang=lang, categories=cats)


def init_project(target: Path, lang: str = "en", *, force: bool = False) -> list[Path]:
    """Write ``mkdocs.yml`` and a sample ``articles/`` into ``target``."""
    target = Path(target)
    if (target / "mkdocs.yml").exists() and not force:
        raise KbError(f"{target / 'mkdocs.yml'} already exists; use --force to overwrite")
    target.mkdir(parents=True, exist_ok=True)
    written = [target / "mkdocs.yml"]
    (target / "mkdocs.yml").write_text(mkdocs_yml(lang), encoding="utf-8")
    source = files("kb") / "samples" / lang
    for entry in _walk(source):
        rel = entry[0]
        dest = target / "articles" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(entry[1].read_text(encoding="utf-8"), encoding="utf-8")
        written.append(dest)
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("site/\n.kb/\n", encoding="utf-8")
        written.append(gitignore)
    return written


def _walk(root, prefix: str = ""):
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.is_dir():
            yield from _walk(item, f"{prefix}{item.name}/")
        elif item.name.endswith(".md"):
            yield f"{prefix}{item.name}", item


def new_article(docs_dir: Path, title: str, *, kind: str = "faq", category: str | None = None,
                lang: str = "en", owner: str | None = None, step: int | None = None,
                today: dt.date | None = None) -> Path:
    """Write a new article with complete front matter; never overwrites a file."""
    if kind not in TYPES:
        raise KbError(f"unknown type '{kind}': use one of {', '.join(TYPES)}")
    if not title.strip():
        raise KbError("the title is empty")
    today = today or dt.date.today()
    folder = slugify(category, 60) if category else ""
    path = Path(docs_dir) / folder / f"{slugify(title)}.md"
    if path.exists():
        raise KbError(f"{path} already exists")
    review = today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) \
        else today + dt.timedelta(days=365)
    lines = ["---", f"id: {new_id(title)}", f"title: {_yaml_str(title)}", f"type: {kind}"]
    if category:
        lines.append(f"category: {_yaml_str(folder)}")
    lines += [f"lang: {lang}", "summary: \"\"", "tags: []", f"owner: {_yaml_str(owner or '')}",
              f"review_by: {review.isoformat()}"]
    if kind == "onboarding":
        lines.append(f"step: {step or 1}")
    lines += ["---", "", _body_hint(kind, lang), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _body_hint(kind: str, lang: str) -> str:
    if lang == "it":
        return {"faq": "Rispondi alla domanda nella prima frase, poi aggiungi i dettagli.",
                "onboarding": "Spiega un solo passo: cosa fare, come capire che è fatto.",
                "troubleshooting": "## Sintomi\n\n## Causa\n\n## Soluzione",
                "howto": "## Prima di iniziare\n\n## Procedura\n\n1. "}[kind]
    return {"faq": "Answer the question in the first sentence, then add the details.",
            "onboarding": "Explain one step: what to do and how to tell it worked.",
            "troubleshooting": "## Symptoms\n\n## Cause\n\n## Solution",
            "howto": "## Before you start\n\n## Steps\n\n1. "}[kind]


def copy_tree(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, dirs_exist_ok=True)
