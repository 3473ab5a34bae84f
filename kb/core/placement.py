"""Where the feedback widget goes and which questions it asks: pure rules over a page's path
(relative to the docs folder, with ``/``) and its front matter.

In order, the first that applies wins:

1. ``feedback: false`` or Material's ``hide: [feedback]`` in the front matter: no widget;
2. ``feedback: short`` or ``feedback: full`` (or ``feedback: true``) in the front matter: the
   widget, with that question set (``true``: the one the patterns give);
3. the plugin's ``feedback: false``: no widget on any page;
4. ``feedback_exclude`` patterns: no widget; ``feedback_include`` patterns (when given): the
   widget only on the pages they match;
5. ``short_questions`` patterns: the short set; every other page: the full set.

A pattern is a glob: ``*`` and ``?`` stay within one folder, ``**`` spans folders
(``api/**``: everything under ``api/``), and a pattern without ``/`` also matches the file
name in any folder (``changelog.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kb.core.vocabulary import QUESTION_SETS

FULL, SHORT = QUESTION_SETS


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    pattern = pattern.strip().lstrip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether ``path`` matches one of the glob ``patterns`` (see the module's docstring)."""
    name = path.rsplit("/", 1)[-1]
    for pattern in patterns:
        rx = _regex(pattern)
        if rx.match(path) or ("/" not in pattern.strip("/") and rx.match(name)):
            return True
    return False


@dataclass(frozen=True)
class Placement:
    """The site's settings for the widget (the plugin's ``feedback``, ``feedback_include``,
    ``feedback_exclude`` and ``short_questions``)."""

    enabled: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    short: tuple[str, ...] = ()


def front_matter_problem(meta: Mapping[str, Any]) -> str | None:
    """A message when the front matter's ``feedback`` is not one of its values, else None."""
    value = meta.get("feedback")
    if value is None or isinstance(value, bool) or value in QUESTION_SETS:
        return None
    return f"'feedback' must be true, false, {' or '.join(QUESTION_SETS)}; got {value!r}"


def _hidden(meta: Mapping[str, Any]) -> bool:
    hide = meta.get("hide")
    return hide == "feedback" or (isinstance(hide, (list, tuple)) and "feedback" in hide)


def question_set(path: str, meta: Mapping[str, Any], placement: Placement) -> str | None:
    """The question set the page's widget asks (``"full"`` or ``"short"``), or None for no
    widget (the rules of the module's docstring)."""
    value = meta.get("feedback")
    if value is False or _hidden(meta):
        return None
    by_pattern = SHORT if matches(path, placement.short) else FULL
    if value in QUESTION_SETS:
        return str(value)
    if value is True:
        return by_pattern
    if not placement.enabled or matches(path, placement.exclude):
        return None
    if placement.include and not matches(path, placement.include):
        return None
    return by_pattern
