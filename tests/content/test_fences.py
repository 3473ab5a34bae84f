"""Fenced code blocks, as CommonMark: a fence closes only with the same character, at least as
long as the one that opened it. Alerts, links, headings and Liquid inside code stay code."""

from __future__ import annotations

import pytest

from kb.core.content import code_lines, find_h1
from kb.core.links import headings, links
from kb.core.markdown_compat import convert_alerts, convert_jekyll

ALERT = "> [!NOTE]\n> Inside code.\n"


@pytest.mark.parametrize(
    "opener, inner, closer",
    [
        ("~~~", "```", "~~~"),  # a tilde fence showing a backtick fence
        ("```", "~~~", "```"),
        ("````", "```", "````"),  # a shorter fence of the same character does not close
        ("~~~~ markdown", "~~~", "~~~~~"),  # a longer one does
        ("  ```md", "```md", "```"),
    ],
)
def test_alert_inside_a_fence_that_shows_another_fence_is_left_alone(opener, inner, closer):
    text = f"{opener}\n{inner}\n{ALERT}{inner}\n{closer}\n\n> [!TIP]\n> Outside.\n"
    out = convert_alerts(text)
    assert f"{inner}\n{ALERT}{inner}\n{closer}" in out  # untouched
    assert '!!! tip "Tip"' in out and "    Outside." in out


def test_code_lines_marks_fences_and_their_content():
    lines = ["a", "~~~", "```", "# not a heading", "```", "~~~", "b", "``` x", "c"]
    assert [code for _line, code in code_lines(lines)] == [
        False, True, True, True, True, True, False, True, True,  # never closed: to the end
    ]  # fmt: skip


def test_inline_code_with_three_backticks_is_not_a_fence():
    lines = ["```a``` is inline code", "# Heading"]
    assert [code for _line, code in code_lines(lines)] == [False, False]


def test_links_headings_and_title_inside_nested_fences_are_code():
    body = (
        "~~~\n```\n[x](nowhere.md)\n# Not the title\n## Not a heading\n```\n~~~\n"
        "# Title\n\n## Real\n[y](real.md)\n"
    )
    assert [link.target for link in links(body)] == ["real.md"]
    assert [text for _level, text, _slug in headings(body)] == ["Title", "Real"]
    assert find_h1(body, 5) == ("Title", 12)


def test_liquid_inside_nested_fences_is_left_alone():
    text = "~~~\n```\n{{ site.baseurl }}/x\n```\n~~~\n{{ site.baseurl }}/y\n"
    assert convert_jekyll(text) == "~~~\n```\n{{ site.baseurl }}/x\n```\n~~~\n/y\n"
