"""kb on an existing MkDocs site: the site keeps its own navigation, kb adds the feedback loop.

The plugin's ``structure`` setting chooses: ``helpcenter`` builds kb's help center (a home
with categories, category pages, per-category sidebars: ``site_nav.py``), ``site`` keeps the
site's ``nav:``, titles, templates and Markdown as MkDocs builds them, and ``auto`` (the
default) is ``site`` when ``mkdocs.yml`` has a ``nav:`` and ``helpcenter`` otherwise.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, FunctionLoader, PrefixLoader
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from kb import theme_dir
from kb.core.containment import OUTSIDE
from kb.core.errors import Finding
from kb.core.helpcenter import HelpCenter
from kb.plugin.site_nav import CategoryPages, SidebarItem

STRUCTURES = ("auto", "helpcenter", "site")


def keeps_site(structure: str, nav: object) -> bool:
    """Whether the build keeps the site's own structure (see the module's docstring)."""
    if structure == "auto":
        return bool(nav)
    return structure == "site"


MISSING_TITLE = "missing title"


def nav_titles(nav: Any) -> dict[str, str]:
    """``{docs path: title}`` of the ``nav:`` entries that give a page its title."""
    out: dict[str, str] = {}
    if isinstance(nav, list):
        for item in nav:
            out.update(nav_titles(item))
    elif isinstance(nav, dict):
        for title, value in nav.items():
            if isinstance(value, str):
                out.setdefault(value, str(title))
            else:
                out.update(nav_titles(value))
    return out


def site_findings(
    findings: Iterable[Finding], hc: HelpCenter, titles: dict[str, str]
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """``(stopping, warnings, notes)`` on a site kb does not own. Only what would put
    something from outside the docs folder into the site stops the build; kb's errors (a
    guide's gap, for one) are warnings, since MkDocs builds such a page fine, and kb's
    warnings (no 'id', for one) are notes, so that 'mkdocs build --strict' still passes. A
    page titled by the nav needs no title of its own, and one without any takes the title
    MkDocs gives it (its file name, as a site with 'strict: true' builds it): a note."""
    stopping, warnings, notes = [], [], []
    by_path = hc.by_path()
    for f in findings:
        if f.blocking and OUTSIDE in f.message:
            stopping.append(f)
        elif f.message.startswith(MISSING_TITLE):
            article = by_path.get(f.path)
            if f.path in titles:
                if article is not None:
                    article.title = plain_title(titles[f.path])
                continue
            name = article.title if article is not None else f.path
            notes.append(
                replace(f, level="warning", message=f"no title: using '{name}'", blocking=False)
            )
        elif f.level == "error":
            warnings.append(replace(f, level="warning", blocking=False))
        else:
            notes.append(f)
    return stopping, warnings, notes


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")


def plain_title(title: str) -> str:
    """A title as text, as Material's ``striptags`` makes it for ``<title>``: without
    comments and tags, white space collapsed, then entities replaced."""
    return html.unescape(" ".join(_TAG.sub("", _COMMENT.sub("", title)).split()))


def page_title(page, fallback: str) -> str:
    """The title MkDocs gives a page before it is rendered: its nav title, else ``fallback``
    (kb's: the front matter's title, then the first H1, then the file name)."""
    title = vars(page).get("title")  # a nav title shadows MkDocs' computed title property
    # as plain text, as Material's <title> shows it ('The &nbsp<samp>x</samp>' is 'The x')
    return plain_title(str(title)) if title else fallback


def site_nav_info(hc: HelpCenter, files: Files) -> dict[str, CategoryPages]:
    """kb's articles by category at the URLs MkDocs gave them, titled as the site's ``nav:``
    titles them; the navigation itself is left as MkDocs made it."""
    info: dict[str, CategoryPages] = {}
    for cat in hc.ordered_categories():
        entry = CategoryPages(category=cat, page=None)
        for a in cat.articles:
            f = files.get_file_from_path(a.path)
            if f is None or f.page is None:
                continue
            a.title = page_title(f.page, a.title)
            entry.items.append(SidebarItem(a.title, f.page.url, f.page, a))
        info[cat.key] = entry
    return info


SITE_TEMPLATES = "kb-site"  # the prefix under which kb's main.html finds the site's own


def site_main(env: Environment, config: MkDocsConfig) -> None:
    """A site whose ``custom_dir`` has its own ``main.html`` keeps it, and kb's is kept too:
    ``main.html`` is kb's, which extends the site's (``kb-site/main.html``), which extends
    Material's ``base.html`` as before. Without this the site's ``main.html`` would hide
    kb's, and with it the widget's script and style and search through the API."""
    custom = config.theme.custom_dir
    if not custom or not (Path(custom) / "main.html").is_file():
        return
    kb_main = theme_dir() / "main.html"

    def load(name: str):
        if name != "main.html":
            return None
        return kb_main.read_text(encoding="utf-8"), str(kb_main), lambda: True

    env.loader = ChoiceLoader(
        [
            FunctionLoader(load),
            PrefixLoader({SITE_TEMPLATES: FileSystemLoader(str(custom))}),
            env.loader,
        ]
    )
    env.globals["kb_base"] = f"{SITE_TEMPLATES}/main.html"
