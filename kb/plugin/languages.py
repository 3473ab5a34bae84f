"""A help center in several languages on the site: each article page links its translations.

Article pages get ``kb.alternates``: ``[{"lang", "url"}]`` for every language the article has,
then ``x-default`` (the source's page), which ``main.html`` writes as
``<link rel="alternate" hreflang="...">``. Without the ``languages`` setting nothing is added.
"""

from __future__ import annotations

from kb.core.translations import group


def _alternates(plugin) -> dict[str, list[dict[str, str]]]:
    """``{article id: alternates}`` for the current build, computed once per navigation."""
    cached = getattr(plugin, "_kb_alternates", None)
    if cached is not None and cached[0] is plugin.nav_info:
        return cached[1]
    urls = {id(item.article): item.url for info in plugin.nav_info.values() for item in info.items}
    languages = plugin.hc.languages
    out: dict[str, list[dict[str, str]]] = {}
    for g in group(plugin.hc.articles, languages):
        links = [
            {"lang": lang, "url": urls[id(a)]}
            for lang, a in sorted(g.texts.items(), key=lambda t: languages.index(t[0]))
            if id(a) in urls
        ]
        source_url = urls.get(id(g.source))
        if len(links) > 1 and source_url is not None:
            out[g.id] = [*links, {"lang": "x-default", "url": source_url}]
    plugin._kb_alternates = (plugin.nav_info, out)
    return out


def page_context(plugin, page, kb: dict) -> None:
    """Add ``kb.alternates`` to an article page of a help center with ``languages``."""
    article = kb.get("article")
    if plugin.hc is None or not plugin.hc.languages or article is None:
        return
    kb["alternates"] = _alternates(plugin).get(article.id, [])
