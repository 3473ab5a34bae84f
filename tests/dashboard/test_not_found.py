"""The dashboard's "Could not find" page: failed searches in topics, their articles, periods."""

import datetime as dt
import re

from tests.dashboard.helpers import HOSTILE, WEAK, login
from tests.notfound_helpers import add_journeys, add_search
from tests.review_helpers import engine_for

UTC = dt.timezone.utc


def rows(html: str) -> list[tuple[str, str]]:
    """(topic, searches) of each row of the page's table."""
    return re.findall(
        r'<tr data-topic>\s*<th scope="row">([^<]*)</th>\s*<td class="num">(\d+)', html
    )


def test_topics_ranked_with_their_articles_and_the_ones_to_write(site, client):
    engine = engine_for(site)
    add_journeys(engine)
    add_search(engine, HOSTILE, "en", 0)
    add_search(engine, "dark mode", "en", 0, when=dt.datetime.now(UTC) - dt.timedelta(days=60))
    engine.dispose()
    login(client)
    html = client.get("/dashboard/not-found").get_data(as_text=True)
    assert 'aria-current="page">Could not find<' in html
    assert "23 searches did not help</strong>, in 6 topics" in html
    assert rows(html)[:3] == [("refund paypal", "9"), ("refund", "8"), ("dark mode", "2")]
    refund = html.split('<th scope="row">refund</th>')[1].split("</tr>")[0]
    assert (
        '<td class="num">4</td>\n        <td class="num">4</td>' in refund
    )  # unsatisfied, contacts
    assert (
        f'href="/dashboard/articles/{WEAK}">Can I get a refund?</a> <span class="muted">(8)'
        in refund
    )
    paypal = html.split('<th scope="row">refund paypal</th>')[1].split("</tr>")[0]
    assert "found nothing, though about" in paypal and "refund, paypal" in paypal
    dark = html.split('<th scope="row">dark mode</th>')[1].split("</tr>")[0]
    assert "No article about it: one to write" in dark
    assert '<span class="chip">it 2</span>' in html  # rimborso paypal
    assert HOSTILE not in html and "&lt;img src=x onerror=" in html

    older = client.get("/dashboard/not-found?days=90").get_data(as_text=True)
    assert ("dark mode", "3") in rows(older)  # the search of 60 days ago counts now
    assert client.get("/dashboard/not-found?days=12345").status_code == 200  # 30 days then


def test_without_failed_searches_it_says_so(site, client):
    login(client)
    html = client.get("/dashboard/not-found").get_data(as_text=True)
    assert "data-not-found-none" in html and "data-not-found>" not in html


def test_the_page_needs_a_login(client):
    resp = client.get("/dashboard/not-found")
    assert resp.status_code == 302 and "/dashboard/login" in resp.headers["Location"]
