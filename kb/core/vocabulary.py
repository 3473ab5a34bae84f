"""kb's shared vocabulary, each word written once: the feedback reasons and the sizes of a vote.

The widget (``theme/partials/feedback.html``), the API and its OpenAPI document, the store's
tables and the review's per-day cache, ``kb report`` and the demo data all read these.
A new reason is one entry here, its two labels in ``kb/core/i18n.py`` and a migration that adds
its ``r_<reason>`` column to ``review_days``.
"""

from __future__ import annotations

# Why a reader was not helped (asked after a low score), in the order the widget offers them.
REASONS: tuple[str, ...] = ("outdated", "missing_steps", "not_answered", "hard_to_follow")

SUBMISSION_MAX = 36  # characters of a vote's client-made submission id
COMMENT_MAX = 2000  # characters of a reader's comment

# Where a vote came from: the widget's script, the no-script form, or ``kb feedback import``.
SOURCES: tuple[str, ...] = ("widget", "form", "import")
# How a reader reached an article: from kb's search, from another article, from outside.
ARRIVALS: tuple[str, ...] = ("search", "article", "external")
# What a search ended in, when the reader's next step is known.
SEARCH_OUTCOMES: tuple[str, ...] = ("satisfied", "unsatisfied", "contact")
