"""Searches, views and contacts written as the API writes them: the search log, the result
opened, the vote that followed or the contact (kb.store.searchlog, kb.store.journey)."""

from __future__ import annotations

import datetime as dt
import uuid

from kb.core.journey import Contact, View
from kb.store.journey import record_contact, record_view, set_outcome
from kb.store.searchlog import log_click, log_search, new_token
from tests.review_helpers import engine_for

UTC = dt.timezone.utc
REFUND = "request-a-refund-4c8e01"
OTHER = "download-an-invoice-0e6f12"

# (query, lang, results, article opened or None, ending: None, "satisfied", "unsatisfied",
# "contact", searches): what the demo's customers looked for and did not find.
JOURNEYS = [
    ("refund paypal", "en", 0, None, None, 6),
    ("Refunds PayPal", "en", 0, None, None, 3),
    ("rimborso paypal", "it", 0, None, None, 2),
    ("refund", "en", 3, "request-a-refund-4c8e01", "unsatisfied", 4),
    ("refund", "en", 3, "request-a-refund-4c8e01", "contact", 3),
    ("refund", "en", 3, "request-a-refund-4c8e01", "satisfied", 9),
    ("the refund?", "en", 3, "request-a-refund-4c8e01", "contact", 1),
    ("dark mode", "en", 0, None, None, 2),
    ("modalità scura", "it", 0, None, None, 1),
    ("invoice", "en", 2, None, None, 7),  # found something, no ending known: not a failure
]


def add_search(
    engine,
    query: str,
    lang: str,
    results: int,
    opened: str | None = None,
    ending: str | None = None,
    *,
    when: dt.datetime | None = None,
) -> str:
    """One search, its click and its ending, through the store's own writes; its token."""
    token = new_token()
    when = when or dt.datetime.now(UTC) - dt.timedelta(hours=1)
    log_search(engine, token, query, lang, results, now=when)
    if opened:
        log_click(engine, token, opened, 1, now=when)
    if ending == "contact":
        with engine.begin() as conn:
            contact = Contact(str(uuid.uuid4()), opened or "", lang=lang, search=token)
            assert record_contact(conn, contact, now=when) is not None
    elif ending:
        with engine.begin() as conn:
            assert set_outcome(conn, token, ending)
    return token


def add_journeys(engine, journeys=JOURNEYS, *, when: dt.datetime | None = None) -> None:
    for query, lang, results, opened, ending, n in journeys:
        for _ in range(n):
            add_search(engine, query, lang, results, opened, ending, when=when)


def _view(conn, article, visitor, when, arrival="external", search=None):
    v = View(str(uuid.uuid4()), article, arrival=arrival, search=search, visitor=visitor)
    assert record_view(conn, v, now=when)


def seed_journey(project):
    """Two days of readers: 30 views by 26 readers (one per visitor and day), 3 contacts; 6
    searches opened the refund article (2 then voted unsatisfied, 1 contacted support, 1
    satisfied). Returns the two days (YYYY-MM-DD)."""
    engine = engine_for(project)
    now = dt.datetime.now(UTC)
    day1, day2 = now - dt.timedelta(days=3), now - dt.timedelta(days=1)
    tokens = [add_search(engine, "refund", "en", 3, REFUND, None, when=day2) for _ in range(6)]
    with engine.begin() as conn:
        for i in range(10):
            _view(conn, REFUND, f"a{i}", day1)
        for i in range(4):  # four of day 1's readers read another article too
            _view(conn, OTHER, f"a{i}", day1)
        for i in range(10):
            search = tokens[i] if i < 6 else None
            _view(conn, REFUND, f"b{i}", day2, "search" if search else "article", search)
        for i in range(6):
            _view(conn, OTHER, f"c{i}", day2)
        for t in tokens[:2]:
            set_outcome(conn, t, "unsatisfied")
        set_outcome(conn, tokens[2], "satisfied")
        record_contact(
            conn, Contact(str(uuid.uuid4()), REFUND, search=tokens[3], visitor="b3"), day2
        )
        record_contact(conn, Contact(str(uuid.uuid4()), REFUND, visitor="a1"), day1)
        record_contact(conn, Contact(str(uuid.uuid4()), OTHER, visitor="c0"), day2)
    engine.dispose()
    return day1.date().isoformat(), day2.date().isoformat()
