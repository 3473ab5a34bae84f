"""On a phone: every control of the widget and of the search at least 44 x 44 CSS px, the
comment box at 16 px (iOS zooms into smaller text fields), nothing wider than 320 px.
Screenshots at 390 px, light and dark, go to the screenshot folder (tests/helpers.py)."""

from __future__ import annotations

import pytest

from tests.helpers import SCREENSHOTS

pytestmark = pytest.mark.browser

ARTICLE = "billing/request-a-refund/"
TARGET = 44
SIZES = """sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent)
    .map(e => { const r = e.getBoundingClientRect();
                return [e.outerHTML.slice(0, 60), Math.round(r.width), Math.round(r.height)]; })"""


def small(page, selector: str) -> list:
    found = page.evaluate(SIZES, selector)
    assert found, f"nothing visible matches {selector}"
    return [f for f in found if f[1] < TARGET or f[2] < TARGET]


@pytest.fixture(params=[(390, 844), (320, 640)], ids=["390px", "320px"])
def phone(request, browser):
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True
    )
    yield context.new_page(), width
    context.close()


def test_widget_and_search_controls_fit_a_finger(phone, site):
    page, width = phone
    page.goto(site + ARTICLE)
    page.wait_for_selector(".kb-fb--js")
    assert small(page, "[data-csat]") == []
    page.tap("[data-csat='1']")
    page.wait_for_selector("[data-ces='1']")
    assert small(page, "[data-ces], [data-kb-step='2'] [data-kb-skip]") == []
    page.tap("[data-ces='2']")
    page.wait_for_selector("textarea")
    assert small(page, ".kb-fb__chip span, [data-kb-step='3'] button") == []
    assert page.eval_on_selector("textarea", "e => parseFloat(getComputedStyle(e).fontSize)") >= 16
    if width == 390:
        page.locator("[data-kb-feedback]").screenshot(path=str(SCREENSHOTS / "kb-phone-widget.png"))

    page.tap("label.md-header__button[for='__search']")
    page.keyboard.type("refund")
    page.wait_for_selector("a[data-kb-search-result]")
    controls = (
        ".md-search__input, .md-search__form label.md-search__icon, "
        ".md-search__options button[type=reset], a[data-kb-search-result]"
    )
    assert small(page, controls) == []
    if width == 390:
        page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')"
        )
        page.screenshot(path=str(SCREENSHOTS / "kb-phone-search.png"))


@pytest.mark.parametrize("path", ["", "billing/", ARTICLE])
def test_nothing_scrolls_sideways_at_320px(browser, site, path):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(site + path)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"/{path} is {wide} px wide at 320 px"
    finally:
        context.close()


def test_screenshots_at_390px_dark(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    try:
        for name, path in (("home", ""), ("article", ARTICLE)):
            page.goto(site + path)
            page.screenshot(path=str(SCREENSHOTS / f"kb-phone-dark-{name}.png"), full_page=True)
        assert page.evaluate("() => document.body.dataset.mdColorScheme") == "slate"
    finally:
        context.close()
