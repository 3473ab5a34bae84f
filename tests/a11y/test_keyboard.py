"""Keyboard only: kb's search results by arrows, Tab kept in the dialog, visible focus at
every step of the widget, no invisible tab stop. Keys are pressed; nothing is clicked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ARTICLE = "billing/request-a-refund/"


def focused(page, script: str):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {script}; }}")


def outline(page) -> float:
    """Width in px of the focused element's outline (0 when none is drawn)."""
    return focused(
        page,
        "getComputedStyle(el).outlineStyle === 'none' ? 0 : "
        "parseFloat(getComputedStyle(el).outlineWidth)",
    )


def rank(page):
    return focused(page, "el.matches('a[data-kb-search-result]') ? +el.dataset.rank : el.tagName")


def test_every_tab_stop_is_visible(page, site):
    page.goto(site + ARTICLE)
    page.wait_for_selector(".kb-fb--js")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        # Material's palette switch is a 0 px radio; the label right after it shows the focus.
        box = focused(
            page,
            "(e => (r => [e.tagName + '.' + e.className, r.width, r.height, "
            "getComputedStyle(e).outlineStyle])(e.getBoundingClientRect()))"
            "(el.matches('.md-option') ? el.nextElementSibling : el)",
        )
        if box[0].startswith("LABEL"):
            assert box[3] != "none", f"the palette switch shows no focus: {box}"
        seen.append(box)
        assert box[1] > 0 and box[2] > 0, f"invisible tab stop: {box} after {seen}"


def test_search_results_by_keyboard(page, site):
    page.goto(site + ARTICLE)
    page.keyboard.press("/")
    page.keyboard.type("refund invoice")
    page.wait_for_selector("a[data-kb-search-result][data-rank='2']")
    assert focused(page, "el.matches('[data-md-component=search-query]')")

    page.keyboard.press("ArrowDown")
    assert rank(page) == 1
    page.keyboard.press("ArrowDown")
    assert rank(page) == 2
    page.keyboard.press("ArrowUp")
    assert rank(page) == 1
    page.keyboard.press("ArrowUp")
    assert rank(page) == "INPUT"
    page.keyboard.press("ArrowUp")  # wraps round to the last result
    last = page.locator("a[data-kb-search-result]").count()
    assert rank(page) == last

    # Tab moves through the same stops and never leaves the dialog.
    page.keyboard.press("Tab")
    assert rank(page) == "INPUT"
    page.keyboard.press("Tab")
    assert rank(page) == 1
    page.keyboard.press("Shift+Tab")
    assert rank(page) == "INPUT"
    assert page.is_checked("#__search")

    # Enter opens the result in focus.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    href = page.get_attribute("a[data-kb-search-result][data-rank='2']", "href")
    page.keyboard.press("Enter")
    page.wait_for_url(href)

    # Escape closes the overlay, from a result too.
    page.keyboard.press("/")
    page.keyboard.type("password")
    page.wait_for_selector("a[data-kb-search-result]")
    page.keyboard.press("ArrowDown")
    assert rank(page) == 1
    page.keyboard.press("Escape")
    assert not page.is_checked("#__search")


def test_widget_steps_show_where_focus_is(page, site):
    page.goto(site + ARTICLE)
    page.wait_for_selector(".kb-fb--js")
    page.focus("[data-csat='2']")  # focus only: the answers below are key presses
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-ces='1']")
    assert focused(page, "el.dataset.kbStep") == "2"
    assert outline(page) >= 1, "the CES step has focus but shows none"

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page, "el.dataset.ces") == "2"
    assert outline(page) >= 1
    page.keyboard.press("Enter")
    page.wait_for_selector("textarea:visible")
    assert focused(page, "el.dataset.kbStep") == "3"
    assert outline(page) >= 1, "the comment step has focus but shows none"

    page.keyboard.press("Tab")  # the first reason
    page.keyboard.press("Space")
    while not focused(page, "el.tagName === 'TEXTAREA'"):
        page.keyboard.press("Tab")
    assert outline(page) >= 1, "the comment box shows focus only by a border"
    page.keyboard.type("The button is not where the article says.")
    page.keyboard.press("Tab")  # Skip
    page.keyboard.press("Tab")  # Send
    assert focused(page, "el.type") == "submit"
    assert outline(page) >= 1
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-kb-feedback-done]")
    assert focused(page, "el.matches('[data-kb-status]')")
    assert outline(page) >= 1, "the thank-you has focus but shows none"
