"""A realistic reader's journey next to the demo's votes: views, searches, contacts.

Rows for ``kb feedback import`` in the format ``kb feedback export`` writes
(:mod:`kb.store.journey_transfer`): view counters per article, day and arrival, one reader
row per daily visitor, the searches of the search log with the result opened and what they
ended in, and the contacts with support. The shape, for each article with votes:

- **Readers** are the voters divided by a vote rate of 5 to 12 % (few readers answer a
  widget), spread over the same days; one in seven comes back to the page later that day
  from another article.
- **Arrival**: about a third come from kb's search, a quarter from another article, the
  rest from outside (a search engine, a link in the product).
- **Contacts**: about 3 % of an ordinary article's readers follow "contact support", 12 %
  of a weak one's (the ``--weak`` articles of ``kb dev fake-votes``).
- **Searches**: every reader who came from a search made one and opened the article; as
  many again opened nothing, and about one in ten found nothing at all (queries of topics
  the help center does not cover). A search ends in the reader's vote, or in a contact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter
from collections.abc import Iterable

VOTE_RATE = (0.05, 0.12)
REREAD = 1 / 7
ARRIVAL = (("search", 0.35), ("article", 0.25), ("external", 0.40))
CONTACT_RATE = (0.03, 0.12)  # an ordinary article's readers, a weak one's
NOT_OPENED = 1.0  # searches that opened nothing, per search that opened an article
NOT_FOUND = 0.1  # searches that found nothing, per search made
SATISFIED = (0.8, 0.32)  # an ordinary, a weak article's satisfied share

MISSING = {
    "en": ("export to excel", "dark mode", "change invoice currency", "delete workspace", "sso"),
    "it": ("esporta in excel", "modalità scura", "cambiare valuta fattura", "eliminare spazio"),
}


def _hex(*parts: object, size: int = 32) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:size]


# Words readers leave out of a search box.
STOP_WORDS = frozenset(
    "how do does can what where why when which who the your you my our for and with from "
    "get are cosa come dove quando perché posso il la lo le gli una uno del della per "
    "con non".split()
)


def _query(rng: random.Random, article: dict) -> str:
    """What a reader typed to find the article: some words of its title."""
    words = [w.strip("?!.,:;'") for w in str(article.get("title") or article["id"]).split()]
    words = [w.lower() for w in words if len(w) > 2 and w.lower() not in STOP_WORDS]
    words = words or [str(article["id"])]
    k = rng.randint(1, min(3, len(words)))
    return " ".join(sorted(rng.sample(words, k), key=words.index))


def demo_journey(
    articles: list[dict],
    votes: Iterable[dict],
    *,
    weak: set[str] | frozenset[str] = frozenset(),
    seed: int = 7,
    days: int = 30,
    end: dt.datetime | None = None,
) -> list[dict]:
    """Import rows of the journey that goes with ``votes`` (rows of
    :func:`kb.dev.simulate.demo_rows`); ``weak`` names the articles readers struggle with."""
    rng = random.Random(seed * 31 + 5)
    end = end or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    per_article = Counter(v["article"] for v in votes)
    counters: Counter[tuple[str, str, str, str, str]] = Counter()
    rows: list[dict] = []
    searches: list[dict] = []
    for a in articles:
        n_votes = per_article.get(a["id"], 0)
        if not n_votes:
            continue
        is_weak = a["id"] in weak
        revision, lang = str(a.get("revision") or ""), str(a.get("lang") or "en")
        readers = max(round(n_votes / rng.uniform(*VOTE_RATE)), n_votes)
        for i in range(readers):
            at = end - dt.timedelta(seconds=rng.randrange(days * 86400))
            day, visitor = at.date().isoformat(), _hex(seed, a["id"], i)
            arrival = rng.choices([x for x, _ in ARRIVAL], [w for _, w in ARRIVAL])[0]
            counters[(a["id"], revision, lang, day, arrival)] += 1
            if rng.random() < REREAD:  # back to it later that day, from another article
                counters[(a["id"], revision, lang, day, "article")] += 1
            rows.append(
                {
                    "kind": "reader",
                    "article_id": a["id"],
                    "revision": revision,
                    "lang": lang,
                    "day": day,
                    "visitor": visitor,
                }
            )
            search = None
            if arrival == "search":
                search = {
                    "kind": "search",
                    "token": _hex("search", seed, a["id"], i, size=24),
                    "query": _query(rng, a),
                    "lang": lang,
                    "results": rng.randint(2, 12),
                    "clicked_id": a["id"],
                    "clicked_rank": rng.choice((1, 1, 1, 2, 2, 3)),
                    "clicked_at": (at - dt.timedelta(seconds=5)).isoformat(),
                    "created_at": (at - dt.timedelta(seconds=rng.randint(8, 60))).isoformat(),
                    "outcome": None,
                }
                if rng.random() < (VOTE_RATE[0] + VOTE_RATE[1]) / 2:
                    sat = rng.random() < SATISFIED[is_weak]
                    search["outcome"] = "satisfied" if sat else "unsatisfied"
                searches.append(search)
            if rng.random() < CONTACT_RATE[is_weak]:
                voted_low = is_weak and rng.random() < 0.4
                rows.append(
                    {
                        "kind": "contact",
                        "contact": "demo-" + _hex("contact", seed, a["id"], i, size=24),
                        "article_id": a["id"],
                        "revision": revision,
                        "lang": lang,
                        "search": search["token"] if search else None,
                        "query": search["query"] if search else None,
                        "csat": rng.choice((1, 2)) if voted_low else None,
                        "ces": rng.choice((1, 2, 3)) if voted_low else None,
                        "reason": None,
                        "visitor": visitor,
                        "created_at": (at + dt.timedelta(minutes=rng.randint(1, 6))).isoformat(),
                    }
                )
                if search:
                    search["outcome"] = "contact"
    opened = len(searches)
    lang = str(articles[0].get("lang") or "en") if articles else "en"
    for j in range(round(opened * NOT_OPENED)):
        at = end - dt.timedelta(seconds=rng.randrange(days * 86400))
        # NOT_FOUND of every search found nothing: all of them are among these.
        found = rng.random() >= NOT_FOUND * (1 + NOT_OPENED) / NOT_OPENED
        a = rng.choice(articles)
        searches.append(
            {
                "kind": "search",
                "token": _hex("lost", seed, j, size=24),
                "query": _query(rng, a) if found else rng.choice(MISSING.get(lang, MISSING["en"])),
                "lang": lang,
                "results": rng.randint(1, 12) if found else 0,
                "created_at": at.isoformat(),
            }
        )
    views = [
        {"kind": "views", "article_id": k[0], "revision": k[1], "lang": k[2], "day": k[3]}
        | {"arrival": k[4], "views": n}
        for k, n in sorted(counters.items())
    ]
    return views + rows + searches
