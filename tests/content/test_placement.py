"""Where the widget goes and which questions it asks (kb/core/placement.py), and the short
set's answer as a vote (kb/core/votes.py)."""

from __future__ import annotations

import pytest

from kb.core.placement import Placement, front_matter_problem, matches, question_set
from kb.core.votes import FieldError, parse_vote


@pytest.mark.parametrize(
    ("path", "pattern", "hit"),
    [
        ("changelog.md", "changelog.md", True),
        ("about/changelog.md", "changelog.md", True),  # no '/': the file name anywhere
        ("api/index.md", "api/**", True),
        ("api/v2/client.md", "api/**", True),
        ("apis/client.md", "api/**", False),
        ("guide/api/x.md", "api/**", False),
        ("guide/api/x.md", "**/api/*.md", True),
        ("api/x.md", "**/api/*.md", True),
        ("ref/a.md", "ref/*.md", True),
        ("ref/deep/a.md", "ref/*.md", False),
        ("ref/a.md", "/ref/?.md", True),
    ],
)
def test_patterns(path, pattern, hit):
    assert matches(path, [pattern]) is hit


SITE = Placement(exclude=("changelog.md", "api/**"), short=("reference/**",))


@pytest.mark.parametrize(
    ("path", "meta", "expected"),
    [
        ("guide/install.md", {}, "full"),
        ("reference/options.md", {}, "short"),
        ("changelog.md", {}, None),
        ("api/client.md", {}, None),
        ("guide/install.md", {"feedback": False}, None),
        ("guide/install.md", {"hide": ["toc", "feedback"]}, None),
        ("guide/install.md", {"hide": "feedback"}, None),
        ("guide/install.md", {"feedback": "short"}, "short"),
        ("reference/options.md", {"feedback": "full"}, "full"),
        ("api/client.md", {"feedback": True}, "full"),  # the page's own word wins
        ("reference/x.md", {"feedback": True}, "short"),
        ("reference/x.md", {"feedback": "full", "hide": ["feedback"]}, None),
    ],
)
def test_question_set(path, meta, expected):
    assert question_set(path, meta, SITE) == expected


def test_include_and_the_plugin_switch():
    only = Placement(include=("docs/**",))
    assert question_set("docs/a.md", {}, only) == "full"
    assert question_set("blog/a.md", {}, only) is None
    off = Placement(enabled=False)
    assert question_set("a.md", {}, off) is None
    assert question_set("a.md", {"feedback": "short"}, off) == "short"


def test_a_wrong_front_matter_value_is_named():
    assert front_matter_problem({"feedback": "short"}) is None
    assert front_matter_problem({"feedback": False}) is None
    assert "got 'brief'" in (front_matter_problem({"feedback": "brief"}) or "")


@pytest.mark.parametrize(
    ("helpful", "csat"), [(True, 4), (False, 2), ("yes", 4), ("no", 2), ("True", 4)]
)
def test_the_short_sets_answer_is_a_csat(helpful, csat):
    vote = parse_vote({"article": "a", "helpful": helpful}, lenient_types=True)
    assert vote.csat == csat and vote.ces is None


@pytest.mark.parametrize(
    "data",
    [
        {"article": "a", "helpful": "maybe"},
        {"article": "a", "helpful": 1},
        {"article": "a", "helpful": True, "csat": 5},
    ],
)
def test_a_wrong_helpful_is_refused(data):
    with pytest.raises(FieldError) as err:
        parse_vote(data)
    assert err.value.field == "helpful"
