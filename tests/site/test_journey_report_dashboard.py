"""The reader's journey end to end: in Chromium, a reader opens an article, searches, opens
a result, votes low and follows "contact support", and another search finds nothing; then
``kb report --format json`` shows the views and the contact on the right article and what
customers could not find, and the dashboard's overview, funnel and "could not find" pages
show them (screenshots in the test's screenshot folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.store.tables import contacts, search_log
from tests.dashboard_server import log_in, serve_dashboard
from tests.helpers import SCREENSHOTS
from tests.site.test_journey_browser import (  # noqa: F401, F811 - the fixtures, reused
    ARTICLE,
    ARTICLE_ID,
    INPUT,
    SUPPORT_HOST,
    arrivals,
    reader,
    rows,
    served,
    wait_for,
)

pytestmark = pytest.mark.browser


def test_what_a_reader_did_reaches_the_report_and_the_dashboard(reader, browser):  # noqa: F811
    page, base, engine, opened = reader
    page.goto(base + ARTICLE)
    wait_for(lambda: arrivals(engine).get((ARTICLE_ID, "external")) == 1, page)
    page.click(INPUT)
    page.fill(INPUT, "export to excel")  # nothing about it
    [excel] = wait_for(
        lambda: [r for r in rows(engine, search_log) if r["query"] == "export to excel"], page
    )
    assert excel["results"] == 0, excel
    page.fill(INPUT, "refund annual plan")
    first = page.locator("a[data-kb-search-result]").first
    first.wait_for(timeout=10000)
    first.click()
    wait_for(lambda: arrivals(engine).get((ARTICLE_ID, "search")) == 1, page)
    page.click("[data-csat='1']")
    page.click("[data-ces='2']")
    page.locator("a[data-kb-contact]").click()
    page.wait_for_url(SUPPORT_HOST + "**")
    wait_for(lambda: rows(engine, contacts), page)

    project = Path(engine.url.database).parent
    db = f"sqlite:///{project}/feedback.db"
    result = CliRunner().invoke(
        main,
        ["report", "--format", "json", "--db", db, "-f", f"{project}/mkdocs.yml"],
        env={"KB_SITE_DIR": f"{project}/.kb/serve-site"},
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    art = next(a for a in doc["articles"] if a["id"] == ARTICLE_ID)
    assert (art["views"], art["readers"], art["contacts"]) == (2, 1, 1)
    assert (doc["site"]["views"], doc["site"]["contacts"]) == (2, 1)
    topics = {t["topic"]: t for t in doc["not_found"]["topics"]}
    assert topics["refund annual plan"]["contact"] == 1
    assert topics["refund annual plan"]["ended_on"][0]["id"] == ARTICLE_ID
    assert topics["export to excel"]["no_result"] == 1 and topics["export to excel"]["about"] == []

    config = {"DATABASE_URL": db, "SITE_DIR": f"{project}/.kb/serve-site"}
    with serve_dashboard(project, **config) as dashboard:
        admin = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            log_in(admin, dashboard)
            admin.goto(dashboard)
            assert admin.locator("[data-site-views]").inner_text() == "2"
            assert admin.locator("[data-site-contacts]").inner_text() == "1"
            admin.goto(dashboard + f"articles/{ARTICLE_ID}")
            admin.wait_for_function("() => window.Chart && Chart.getChart('funnel')")
            stages = admin.locator("#funnel-table tbody tr td:nth-child(2)").all_inner_texts()
            assert stages == ["1", "1", "0", "0", "1"]  # the contact overrides the low vote
            admin.locator("[data-funnel]").screenshot(path=str(SCREENSHOTS / "kb-funnel.png"))
            admin.goto(dashboard + "not-found")
            found = admin.locator("[data-topic] th").all_inner_texts()
            assert set(found) == {"refund annual plan", "export to excel"}
            admin.screenshot(path=str(SCREENSHOTS / "kb-not-found.png"), full_page=True)
        finally:
            admin.close()
