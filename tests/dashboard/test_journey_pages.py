"""The dashboard's journey: the overview's views, contacts and self-service score over time,
and an article's funnel, from views, searches, votes and contacts written as the API writes
them."""

import re

from tests.dashboard.helpers import WEAK, login
from tests.notfound_helpers import seed_journey


def cells(html, table_id):
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in table.split("<tr>")[2:]]


def test_overview_shows_views_contacts_and_self_service_next_to_csat(site, client):
    day1, day2 = seed_journey(site)
    login(client)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "data-site-views>30<" in html
    # Readers are one per visitor and day: 10 + 10 + 6 (day 1's four also read another one).
    assert "data-site-readers>26<" in html and "data-site-contacts>3<" in html
    assert "data-self-service>8.7<" in html  # 26 readers per 3 contacts
    assert 'id="trend"' in html and 'id="journey"' in html  # next to each other
    assert 'aria-describedby="journey-table"' in html
    rows = {r[0]: r[1:] for r in cells(html, "journey-table")}
    assert rows[day1] == ["14", "10", "1", "10.0"]
    assert rows[day2] == ["16", "16", "2", "8.7"]  # 7-day window: 26 readers, 3 contacts
    assert '"kind": "journey"' in html


def test_an_articles_page_shows_its_funnel(site, client):
    seed_journey(site)
    login(client)
    html = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    assert 'id="funnel"' in html and 'aria-describedby="funnel-table"' in html
    stages = [r[:2] for r in cells(html, "funnel-table")]
    assert stages == [
        ["Opened it from a search", "6"],
        ["Read it after a search", "6"],
        ["Then voted satisfied", "1"],
        ["Then voted not satisfied", "2"],
        ["Then contacted support", "1"],
    ]
    readers = html.split("data-readers-table")[1].split("</table>")[0]
    assert '<td>Read it</td><td class="num">20</td>' in readers
    assert '<td>Contacted support</td><td class="num">2</td>' in readers
    assert "20 views by 20 readers; 2 contacted support (10% of its readers" in html


def test_without_a_journey_the_pages_say_so(site, client):
    login(client)
    assert "No views or contacts counted" in client.get("/dashboard/").get_data(as_text=True)
    article = client.get(f"/dashboard/articles/{WEAK}").get_data(as_text=True)
    assert "data-funnel" in article and "Searches that opened this article" not in article
