"""Every page's ``<meta name="description">``: what search engines and link previews show.

Material writes the tag from ``page.meta.description`` (else the site's ``site_description``);
kb fills it in where a writer has not: an article from its summary or lead paragraph (the text
search results show), a category from its description, the home page from its topics.
Material writes the value into the attribute as it is, so kb escapes it (a quote in a summary
would otherwise end the attribute and put the rest of the text into the page's markup).
"""

from __future__ import annotations

from markupsafe import escape
from mkdocs.structure.pages import Page

from kb.search.documents import description as article_description

MAX = 300  # characters; the lead paragraph is already cut near this length


def page_description(kb: dict, site_description: str = "") -> str:
    """The description of a page, from its template context ``kb`` ("" when none fits)."""
    kind, t = kb.get("kind"), kb["t"]
    if kind == "article" and kb.get("article") is not None:
        return article_description(kb["article"])
    if kind == "category" and kb.get("category"):
        cat = kb["category"]
        return cat.get("description") or t("meta.topics", topics=cat.get("title", ""))
    if kind == "home":
        titles = [c["title"] for c in kb.get("categories") or []]
        if site_description or not titles:
            return site_description
        return t("meta.topics", topics=", ".join(titles))
    return ""


def page_context(plugin, page: Page, kb: dict) -> None:
    """The page-context hook: ``page.meta['description']``, the page's own or kb's, escaped.
    A site that keeps its own structure keeps its own descriptions."""
    if kb.get("structure") == "site":
        return
    own = page.meta.get("description")
    if isinstance(own, str) and own.strip():
        text = own.strip()
    else:
        text = page_description(kb, plugin.site_description)[:MAX]
    if text:
        page.meta["description"] = escape(text)  # Markup: not escaped twice
