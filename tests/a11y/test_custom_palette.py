"""kb's widget on an existing site with its own palette: a custom dark scheme that defines
Material's page colours (and, as such schemes often do, not the code blocks'). axe-core's
colour-contrast rule finds nothing in the widget at any step, and the widget takes the page's
own background and text colours."""

from __future__ import annotations

import pytest
import yaml

from tests.a11y.axe import require_axe
from tests.a11y.test_axe import new_page, settle
from tests.helpers import serving_with_api

pytestmark = pytest.mark.browser

# A dark custom scheme, as Material's docs describe one ("Custom colors").
PALETTE = """[data-md-color-scheme="midnight"] {
  --md-hue: 230;
  --md-default-fg-color: #e6e8f0;
  --md-default-fg-color--light: #c2c6d6;
  --md-default-fg-color--lighter: #8a90a8;
  --md-default-fg-color--lightest: #3a4060;
  --md-default-bg-color: #141826;
  --md-primary-fg-color: #7aa2ff;
  --md-primary-bg-color: #0b0e18;
  --md-accent-fg-color: #ffb86c;
  --md-typeset-color: #e6e8f0;
  --md-typeset-a-color: #9ab8ff;
}
"""
CONTRAST = """() => axe.run({include: ['[data-kb-feedback]']},
                        {runOnly: {type: 'rule', values: ['color-contrast']}})
    .then(r => r.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': ' +
        (n.failureSummary || '').split('\\n').slice(1).join(' '))))"""


@pytest.fixture(scope="module")
def palette_site(tmp_path_factory, browser):
    project = tmp_path_factory.mktemp("palette")
    (project / "docs" / "stylesheets").mkdir(parents=True)
    (project / "docs" / "stylesheets" / "palette.css").write_text(PALETTE, encoding="utf-8")
    (project / "docs" / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    (project / "docs" / "guide.md").write_text("# Guide\n\nDo this.\n", encoding="utf-8")
    (project / "docs" / "ref.md").write_text("# Reference\n\nAll options.\n", encoding="utf-8")
    config = {
        "site_name": "Palette",
        "theme": {"name": "material", "font": False, "palette": {"scheme": "midnight"}},
        "extra_css": ["stylesheets/palette.css"],
        "nav": [{"Home": "index.md"}, {"Guide": "guide.md"}, {"Reference": "ref.md"}],
        "plugins": ["search", {"kb": {"short_questions": ["ref.md"]}}],
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with serving_with_api(project) as served:
        yield served[0]


def _contrast(page) -> list[str]:
    from tests.a11y.axe import AXE

    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    settle(page)
    return page.evaluate(CONTRAST)


def test_the_widget_reads_well_on_a_custom_dark_palette(browser, palette_site):
    require_axe()
    context, page = new_page(browser, "dark")
    found: list[str] = []
    try:
        page.goto(palette_site + "guide/")
        widget = page.locator("[data-kb-feedback]")
        colours = widget.evaluate(
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
        )
        assert colours == ["rgb(20, 24, 38)", "rgb(230, 232, 240)"]  # the palette's own
        found += _contrast(page)
        page.click("[data-csat='2']")
        page.wait_for_selector("[data-ces='1']")
        found += [f"after a face: {n}" for n in _contrast(page)]
        page.click("[data-ces='4']")
        page.wait_for_selector("textarea[name=comment]")
        found += [f"comment step: {n}" for n in _contrast(page)]
        page.goto(palette_site + "ref/")
        found += [f"short set: {n}" for n in _contrast(page)]
        page.click("[data-helpful='no']")
        page.wait_for_selector("textarea[name=comment]")
        found += [f"short set, after no: {n}" for n in _contrast(page)]
    finally:
        context.close()
    assert not found, "\n".join(found)
