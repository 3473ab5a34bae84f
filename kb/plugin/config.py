"""The kb plugin's options in ``mkdocs.yml`` (``plugins: [kb: {...}]``), with defaults."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class CategoryConfig(base.Config):
    title = c.Optional(c.Type(str))
    description = c.Type(str, default="")
    icon = c.Type(str, default="")
    order = c.Type(int, default=1000)


class KbConfig(base.Config):
    # Turn the plugin off without removing it (e.g. for a plain MkDocs comparison build).
    enabled = c.Type(bool, default=True)

    # Language of kb's own strings and of articles without 'lang' (en or it).
    # Defaults to the theme's 'language'.
    lang = c.Optional(c.Choice(("en", "it")))

    # Titles, descriptions, icons and order of categories, keyed by folder
    # (or by the 'category' front matter value).
    categories = c.DictOfItems(c.SubConfig(CategoryConfig), default={})

    # How many articles the sidebar of an article page lists before it shows a window
    # around the current article and a link to the category page.
    sidebar_limit = c.Type(int, default=40)

    # Stop the build on check warnings too (like 'kb check --strict').
    strict = c.Type(bool, default=False)

    # Base URL of the kb API (feedback, search) as the browser sees it; empty means the
    # site's own origin, which is what 'kb serve' provides.
    api_url = c.Type(str, default="")

    # Where a reader who is still stuck can ask a person ("contact support" link, shown after
    # a low score; the article's id and title are added as ?article=...&title=...).
    support_url = c.Optional(c.Type(str))

    # The "was this helpful" widget at the end of every article page. A page opts out with
    # 'feedback: false' or Material's 'hide: [feedback]' in its front matter.
    feedback = c.Type(bool, default=True)
