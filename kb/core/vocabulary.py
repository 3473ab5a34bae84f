"""kb's shared vocabulary, each word written once: the feedback reasons and the sizes of a vote.

The widget (``theme/partials/feedback.html``), the API and its OpenAPI document, the store's
tables and the review's per-day cache, ``kb report`` and the demo data all read these.
A new reason is one entry here, its two labels in ``kb/core/i18n.py`` and a migration that adds
its ``r_<reason>`` column to ``review_days``.
"""

from __future__ import annotations

import re

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
SATISFIED_MIN = 4  # CSAT 4 and 5 are "satisfied" (the review's CSAT, a search's outcome)

# The widget's question sets: "full" asks CSAT (1-5), then CES (1-7), then a comment; "short"
# (for reference pages) asks "Was this page helpful?" (yes/no), then a comment. A short-set
# answer is stored on the CSAT scale by HELPFUL_CSAT, so both sets feed the same CSAT (the share
# of 4 and 5): "yes" is Satisfied (4), "no" is Dissatisfied (2); CES stays unanswered.
QUESTION_SETS: tuple[str, ...] = ("full", "short")
HELPFUL_CSAT: dict[str, int] = {"yes": 4, "no": 2}

# A language code as a page, an article or a vote names it ('en', 'de', 'pt-BR', 'zh-Hant').
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
