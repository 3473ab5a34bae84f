"""Searches that did not help, written as the API writes them: the search log, the result
opened, the vote that followed or the contact (kb.store.searchlog, kb.store.journey)."""

from __future__ import annotations

import datetime as dt
import uuid

from kb.core.journey import Contact
from kb.store.journey import record_contact, set_outcome
from kb.store.searchlog import log_click, log_search, new_token

UTC = dt.timezone.utc

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
