"""The kb plugin's options in ``mkdocs.yml`` (``plugins: [kb: {...}]``), with defaults."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from kb.core.project import METHODS, PEERS, REVIEW_DEFAULTS, WEBHOOK_DEFAULTS, WEBHOOK_EVENTS
from kb.core.translations import MISSING_LEVELS
from kb.plugin.site_mode import STRUCTURES


class CategoryConfig(base.Config):
    title = c.Optional(c.Type(str))
    description = c.Type(str, default="")
    icon = c.Type(str, default="")
    order = c.Type(int, default=1000)


class ReviewConfig(base.Config):
    """Flag rules for 'kb report' and the dashboard (see docs/review.md for the method)."""

    # Fewest votes on an article's current text before CSAT/CES can flag it.
    min_votes = c.Type(int, default=REVIEW_DEFAULTS.min_votes)
    # Fewest CES answers on the current text before the "hard to solve" test can flag it.
    min_ces_votes = c.Type(int, default=REVIEW_DEFAULTS.min_ces_votes)
    # Who an article is compared with: the whole site, its category or its type.
    peers = c.Choice(PEERS, default=REVIEW_DEFAULTS.peers)
    # How far below the peers' CSAT (0..1) an article must be to count as worse.
    csat_margin = c.Type(float, default=REVIEW_DEFAULTS.csat_margin)
    # How far above the peers' share of CES 1-3 answers an article must be.
    ces_margin = c.Type(float, default=REVIEW_DEFAULTS.ces_margin)
    # Posterior probability that the article is weak (worse by the margin) needed to flag it.
    confidence = c.Type(float, default=REVIEW_DEFAULTS.confidence)
    # mixture: a two-group model (typical, weak) fitted to the site reads CSAT and CES
    # together; beta: one Beta prior per score, each tested on its own.
    method = c.Choice(METHODS, default=REVIEW_DEFAULTS.method)
    # With method mixture: the probability of being one of the weak articles needed to flag.
    weak_confidence = c.Type(float, default=REVIEW_DEFAULTS.weak_confidence)
    # How far above the site's contact rate (contacts per reader, 0..1) counts as worse,
    # and the fewest readers of an article before its contact rate can flag it.
    contact_margin = c.Type(float, default=REVIEW_DEFAULTS.contact_margin)
    min_readers = c.Type(int, default=REVIEW_DEFAULTS.min_readers)
    # Flag when readers chose "outdated" at least this often and this share of the votes.
    outdated_min = c.Type(int, default=REVIEW_DEFAULTS.outdated_min)
    outdated_share = c.Type(float, default=REVIEW_DEFAULTS.outdated_share)
    # Flag when at least this many searches with no result look like the article's topic.
    zero_result_min = c.Type(int, default=REVIEW_DEFAULTS.zero_result_min)
    # Flag articles whose review_by date has passed.
    review_by = c.Type(bool, default=REVIEW_DEFAULTS.review_by)
    # A new text at least this similar (0..1, word-level difflib ratio) to the text the
    # current votes judged keeps them; a less similar one is a rewrite and starts afresh.
    rewrite_similarity = c.Type(float, default=REVIEW_DEFAULTS.rewrite_similarity)
    # Show the site-level NPS (0-10 question) in the report when votes carry one.
    nps = c.Type(bool, default=REVIEW_DEFAULTS.nps)
    # Webhook URL for events (a low vote with a comment, a new flag); KB_WEBHOOK_URL wins.
    webhook_url = c.Optional(c.Type(str))
    # Which events go to the webhook.
    webhook_events = c.ListOfItems(c.Choice(WEBHOOK_EVENTS), default=list(WEBHOOK_DEFAULTS.events))
    # A vote is "low" for the vote.low event at this CSAT or below (with a comment).
    webhook_low_csat = c.Type(int, default=WEBHOOK_DEFAULTS.low_csat)


class CspConfig(base.Config):
    """The site's Content-Security-Policy beyond what kb finds it loads (docs/deployment.md)."""

    # Send the policy as Content-Security-Policy-Report-Only: the browser blocks nothing and
    # reports in its console what the policy would block; to try a policy first.
    report_only = c.Type(bool, default=False)
    # More sources by directive, e.g. {img-src: [https:], script-src: [https://cdn.example]}.
    sources = c.Type(dict, default={})


class KbConfig(base.Config):
    # Turn the plugin off without removing it (e.g. for a plain MkDocs comparison build).
    enabled = c.Type(bool, default=True)

    # Whose structure the site has: 'helpcenter' (kb's home, category pages and sidebars),
    # 'site' (the site's own nav, titles, templates and Markdown; kb adds the feedback loop)
    # or 'auto': 'site' when mkdocs.yml has a 'nav:', else 'helpcenter' (kb/plugin/site_mode.py).
    structure = c.Choice(STRUCTURES, default="auto")

    # Language of articles without 'lang' (stored with their votes) and of kb's words, which
    # exist in en and it (others: English, or the site's own 'strings'). Defaults to the
    # theme's 'language'.
    lang = c.Optional(c.Type(str))

    # The site's own texts for kb's words, by language: {de: {feedback.helpful: "War diese
    # Seite hilfreich?", ...}}; the keys are kb/core/i18n.py's (docs/existing-site.md).
    strings = c.Type(dict, default={})

    # The help center's languages, the default first (e.g. [it, en]): articles go under
    # articles/<lang>/ and the file with the same path in another language's folder is a
    # translation (docs/writers-guide.md, "Languages"). Empty: one language, as before.
    languages = c.ListOfItems(c.Type(str), default=[])

    # How 'kb check' reports an article that has no text in one of the languages:
    # error, warning or ignore.
    missing_translations = c.Choice(MISSING_LEVELS, default="warning")

    # Titles, descriptions, icons and order of categories, keyed by folder
    # (or by the 'category' front matter value).
    categories = c.DictOfItems(c.SubConfig(CategoryConfig), default={})

    # How many articles the sidebar of an article page lists before it shows a window
    # around the current article and a link to the category page.
    sidebar_limit = c.Type(int, default=40)

    # How many articles a category page lists; a longer category gets numbered pages
    # (<category>/page/2/, ...) with previous/next links. 0 lists every article on one page.
    category_page_size = c.Type(int, default=200)

    # Stop the build on check warnings too (like 'kb check --strict').
    strict = c.Type(bool, default=False)

    # Base URL of the kb API (feedback, search) as the browser sees it; empty means the
    # site's own origin, which is what 'kb serve' provides.
    api_url = c.Type(str, default="")

    # Where a reader who is still stuck can ask a person ("contact support" link, shown after
    # a low score; the article's id and title are added as ?article=...&title=...).
    support_url = c.Optional(c.Type(str))

    # The "was this helpful" widget at the end of every article page. A page opts out with
    # 'feedback: false' or Material's 'hide: [feedback]' in its front matter, and chooses its
    # question set with 'feedback: short' or 'feedback: full' (kb/core/placement.py).
    feedback = c.Type(bool, default=True)
    # Pages without the widget, as globs over their path in the docs folder ('changelog.md',
    # 'api/**'), and, when given, the only pages with it.
    feedback_exclude = c.ListOfItems(c.Type(str), default=[])
    feedback_include = c.ListOfItems(c.Type(str), default=[])
    # Pages asking the short question set ("Was this page helpful?", then a comment) instead
    # of the full one (CSAT, then CES, then a comment): reference pages, for example.
    short_questions = c.ListOfItems(c.Type(str), default=[])

    # The site's Content-Security-Policy: report-only, more sources (kb/plugin/csp.py).
    csp = c.SubConfig(CspConfig)

    # The maintainers' review: flag thresholds, rewrite rule, webhooks (docs/review.md).
    review = c.SubConfig(ReviewConfig)

    # Build the search index into <site>/_kb/search/ (the API's and 'kb search's) and show
    # related articles on article pages (docs/search.md).
    search = c.Type(bool, default=True)

    # How many related articles an article page lists (0: none).
    related_articles = c.Type(int, default=5)

    # The project's own search synonyms: a folder (relative to mkdocs.yml's folder) of
    # <lang>.txt files, one group a line, used with kb's built-in groups ("" for none).
    search_synonyms = c.Type(str, default="synonyms")

    # Use kb's built-in synonym groups (search/synonyms/) as well as the project's.
    search_builtin_synonyms = c.Type(bool, default=True)
    # A local sentence-transformers model folder (relative to mkdocs.yml's folder): the
    # build embeds the articles and search re-orders its results by meaning too; empty
    # means words only. Never downloaded (docs/search.md, "Search by meaning").
    search_model = c.Type(str, default="")
