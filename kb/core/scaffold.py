"""``kb init`` and ``kb new``: a new help center, a new article with complete front matter."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from kb.core import scaffold_languages as several
from kb.core.content import TYPES, new_id, slugify
from kb.core.errors import KbError
from kb.core.frontmatter import FrontMatterError, parse
from kb.core.revisions import project_history_path

# The public address a new help center gets until its owner sets theirs (kb init --site-url).
PLACEHOLDER_SITE_URL = "https://help.example.com/"

MKDOCS_YML = """\
site_name: {site_name}
# The help center's public address: canonical links and sitemap.xml are built from it.
site_url: {site_url}
docs_dir: articles
site_dir: site
theme:
  name: material
  language: {lang}
  font: false  # system fonts: no request to Google Fonts
  features:
    - search.suggest
    - search.highlight
    - content.code.copy
    - navigation.footer
    - navigation.top
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-night
        name: {dark_name}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-sunny
        name: {light_name}
plugins:
  - search:
      lang: {lang}
  - kb:
{languages}      categories:
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
extra:
  generator: false
"""

# (folder, title, description, order, icon) of the sample categories, per language.
CATEGORIES = {
    "en": [
        (
            "getting-started",
            "Getting started",
            "Set up your account in three steps.",
            1,
            "material/rocket-launch-outline",
        ),
        (
            "account",
            "Account and sign-in",
            "Passwords, email, two-step verification.",
            2,
            "material/account-circle-outline",
        ),
        (
            "billing",
            "Billing",
            "Plans, invoices, payment methods and refunds.",
            3,
            "material/credit-card-outline",
        ),
        (
            "troubleshooting",
            "Troubleshooting",
            "When something does not work.",
            4,
            "material/lifebuoy",
        ),
    ],
    "it": [
        (
            "getting-started",
            "Per iniziare",
            "Configura il tuo account in tre passi.",
            1,
            "material/rocket-launch-outline",
        ),
        (
            "account",
            "Account e accesso",
            "Password, email, verifica in due passaggi.",
            2,
            "material/account-circle-outline",
        ),
        (
            "billing",
            "Fatturazione",
            "Piani, fatture, metodi di pagamento e rimborsi.",
            3,
            "material/credit-card-outline",
        ),
        (
            "troubleshooting",
            "Risoluzione dei problemi",
            "Quando qualcosa non funziona.",
            4,
            "material/lifebuoy",
        ),
    ],
}
SITE_NAMES = {"en": "Help Center", "it": "Centro assistenza"}
PALETTE_NAMES = {
    "en": ("Switch to dark mode", "Switch to light mode"),
    "it": ("Passa al tema scuro", "Passa al tema chiaro"),
}


def mkdocs_yml(
    lang: str,
    site_name: str | None = None,
    site_url: str | None = None,
    languages: Sequence[str] = (),
) -> str:
    """The ``mkdocs.yml`` of a new help center in ``lang`` (or in several ``languages``,
    ``lang`` first)."""
    cats = "\n".join(
        f"        {key}:\n          title: {title}\n          description: {desc}\n"
        f"          icon: {icon}\n          order: {order}"
        for key, title, desc, order, icon in CATEGORIES[lang]
    )
    if len(languages) > 1:
        cats = several.categories_yml(languages, CATEGORIES)
    dark, light = PALETTE_NAMES[lang]
    return MKDOCS_YML.format(
        site_name=site_name or SITE_NAMES[lang],
        site_url=checked_site_url(site_url or PLACEHOLDER_SITE_URL),
        lang=lang,
        languages=f"      languages: [{', '.join(languages)}]\n" if len(languages) > 1 else "",
        categories=cats,
        dark_name=dark,
        light_name=light,
    )


def checked_site_url(url: str) -> str:
    """``url`` as MkDocs' ``site_url`` (ending in ``/``), or a KbError saying why it is not one."""
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", url):
        raise KbError(f"'{url}' is not a public address such as https://help.example.com/")
    return url if url.endswith("/") else url + "/"


def init_project(
    target: Path,
    lang: str = "en",
    *,
    force: bool = False,
    today: dt.date | None = None,
    site_url: str | None = None,
    languages: Sequence[str] = (),
) -> list[Path]:
    """Write ``mkdocs.yml`` and a sample ``articles/`` into ``target``.

    With several ``languages`` (the first is the default, ``lang`` is ignored), the
    articles are under ``articles/<lang>/`` with sample translations
    (:mod:`kb.core.scaffold_languages`).

    ``site_url`` is the help center's public address; without it, a placeholder to change
    before publishing (sitemap.xml and canonical links are built from it).

    The samples' ``review_by`` dates are set a year from ``today``, so a new help center
    starts without overdue reviews. Nothing is overwritten unless ``force``: an existing
    ``mkdocs.yml`` or sample article stops the command before any file is written.
    """
    languages = list(dict.fromkeys(languages))  # '--lang it --lang it' is one language
    lang = languages[0] if languages else lang
    for code in languages or [lang]:
        if code not in CATEGORIES:
            raise KbError(f"unknown language '{code}': use one of {', '.join(CATEGORIES)}")
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise KbError(f"{target} exists and is not a folder")
    plan = [
        (target / "mkdocs.yml", mkdocs_yml(lang, site_url=site_url, languages=languages).encode())
    ]
    review = _a_year_after(today or dt.date.today()).isoformat()
    if len(languages) > 1:
        texts = several.samples(languages)
        doc = several.history(languages, today or dt.date.today())
        plan.append((project_history_path(target), json.dumps(doc, ensure_ascii=False).encode()))
    else:
        texts = [(rel, item.read_bytes()) for rel, item in _walk(files("kb") / "samples" / lang)]
    plan += [(target / "articles" / rel, _fresh_review_date(data, review)) for rel, data in texts]
    if not force:
        clashes = [path for path, _text in plan if path.exists()]
        if clashes:
            names = ", ".join(str(p) for p in clashes[:3]) + (" ..." if len(clashes) > 3 else "")
            raise KbError(
                f"{names} already exist{'s' if len(clashes) == 1 else ''}; use --force to overwrite"
            )
    written = []
    try:
        for path, data in plan:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        # the project's own search synonyms, all commented out (a format to discover);
        # like .gitignore, never overwritten, even with --force: it may hold the team's words
        for code in languages or [lang]:
            synonyms = target / "synonyms" / f"{code}.txt"
            if not synonyms.exists():
                synonyms.parent.mkdir(exist_ok=True)
                synonyms.write_bytes(
                    (files("kb") / "samples" / "synonyms" / f"{code}.txt").read_bytes()
                )
                written.append(synonyms)
        gitignore = target / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("site/\n.kb/\n", encoding="utf-8")
            written.append(gitignore)
    except OSError as exc:
        raise KbError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
    return written


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + dt.timedelta(days=365)


def _fresh_review_date(data: bytes, review: str) -> bytes:
    return re.sub(rb"(?m)^review_by: .*$", b"review_by: " + review.encode(), data, count=1)


def _walk(root, prefix: str = ""):
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.is_dir():
            yield from _walk(item, f"{prefix}{item.name}/")
        elif item.name.endswith((".md", ".svg", ".png")):
            yield f"{prefix}{item.name}", item


def next_step(folder: Path) -> int:
    """The step after the last one of the onboarding guide whose articles are in ``folder``."""
    steps = [0]
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            try:
                meta = parse(path.read_text(encoding="utf-8")).data
            except (OSError, UnicodeDecodeError, FrontMatterError):
                continue
            if meta.get("type") == "onboarding" and isinstance(meta.get("step"), int):
                steps.append(meta["step"])
    return max(steps) + 1


def new_article(
    docs_dir: Path,
    title: str,
    *,
    kind: str = "faq",
    category: str | None = None,
    lang: str = "en",
    owner: str | None = None,
    step: int | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write a new article with complete front matter; never overwrites a file.

    The article goes into the category's folder (the folder *is* the category). An onboarding
    article without ``step`` becomes the next step of its folder's guide.
    """
    if kind not in TYPES:
        raise KbError(f"unknown type '{kind}': use one of {', '.join(TYPES)}")
    if not title.strip():
        raise KbError("the title is empty")
    if step is not None and kind != "onboarding":
        raise KbError("--step is only for onboarding articles (--type onboarding)")
    today = today or dt.date.today()
    folder = (
        "/".join(slugify(part, 60) for part in category.split("/") if part.strip())
        if category
        else ""
    )
    path = Path(docs_dir) / folder / f"{slugify(title)}.md"
    if path.exists():
        raise KbError(f"{path} already exists; choose another title or edit that article")
    review = _a_year_after(today)
    lines = ["---", f"id: {new_id(title)}", f"title: {_yaml_str(title.strip())}", f"type: {kind}"]
    if kind == "onboarding":
        lines.append(f"step: {step or next_step(path.parent)}")
    lines += [
        f"lang: {lang}",
        'summary: ""',
        "tags: []",
        f"owner: {_yaml_str(owner or '')}",
        f"review_by: {review.isoformat()}",
        "---",
        "",
        _body_hint(kind, lang),
        "",
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write("\n".join(lines))
    except FileExistsError:
        raise KbError(f"{path} already exists; choose another title or edit that article") from None
    except OSError as exc:
        raise KbError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _body_hint(kind: str, lang: str) -> str:
    if lang == "it":
        return {
            "faq": "Rispondi alla domanda nella prima frase, poi aggiungi i dettagli.",
            "onboarding": "Spiega un solo passo: cosa fare e come capire che è fatto.\n\n"
            "## Come faccio a sapere che ha funzionato?\n",
            "troubleshooting": "## Sintomi\n\n## Causa\n\n## Soluzione\n",
            "howto": "## Prima di iniziare\n\n## Procedura\n\n1. ",
        }[kind]
    return {
        "faq": "Answer the question in the first sentence, then add the details.",
        "onboarding": "Explain one step: what to do and how to tell it worked.\n\n"
        "## How do I know it worked?\n",
        "troubleshooting": "## Symptoms\n\n## Cause\n\n## Solution\n",
        "howto": "## Before you start\n\n## Steps\n\n1. ",
    }[kind]
