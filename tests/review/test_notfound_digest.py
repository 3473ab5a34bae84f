"""The weekly webhook digest of what customers could not find (``searches.not_found``)."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from kb.review import webhooks
from kb.review.digest import collect_digest, last_week
from tests.notfound_helpers import add_journeys, add_search
from tests.review_helpers import engine_for, manifest_articles

UTC = dt.timezone.utc
REFUND = "request-a-refund-4c8e01"
# A Wednesday; the week before runs from Monday 2026-11-30 to Sunday 2026-12-06.
NOW = dt.datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
LAST_WEEK = dt.datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def site(project, monkeypatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SEARCH_MODEL", raising=False)
    build_site(project / "mkdocs.yml")
    engine = engine_for(project)
    yield project, engine
    engine.dispose()


def digest(project, engine, at=NOW, site_url=None):
    arts = manifest_articles(project).values()
    return collect_digest(
        engine, project / "site", arts, "http://127.0.0.1:9/hook", site_url=site_url, at=at
    )


def payloads(engine):
    with engine.connect() as conn:
        rows = conn.execute(webhooks.webhook_outbox.select()).mappings().all()
    return [(r["event"], r["dedup_key"], json.loads(r["payload"])) for r in rows]


def test_last_week_is_monday_to_monday_utc():
    since, until, week = last_week(NOW)
    assert (since.isoformat(), until.isoformat(), week) == (
        "2026-11-30T00:00:00+00:00",
        "2026-12-07T00:00:00+00:00",
        "2026-W49",
    )
    assert last_week(dt.datetime(2026, 12, 7, 0, 0, tzinfo=UTC))[2] == "2026-W49"
    assert last_week(dt.datetime(2027, 1, 4, 9, 0, tzinfo=UTC))[2] == "2026-W53"


def test_one_digest_a_week_with_last_weeks_topics(site):
    project, engine = site
    add_journeys(engine, when=LAST_WEEK)
    add_search(engine, "this week", "en", 0, when=NOW - dt.timedelta(hours=1))  # not yet
    add_search(engine, "long ago", "en", 0, when=LAST_WEEK - dt.timedelta(days=10))
    assert digest(project, engine, site_url="https://help.example.com/") == 1
    assert digest(project, engine, at=NOW + dt.timedelta(days=2)) == 0  # same week: once
    ((event, key, body),) = payloads(engine)
    assert (event, key) == ("searches.not_found", "searches.not_found:2026-W49")
    assert (body["week"], body["from"], body["to"]) == ("2026-W49", "2026-11-30", "2026-12-06")
    assert body["searches"] == 22 and body["topics_total"] == 5
    labels = [t["topic"] for t in body["topics"]]
    assert labels[:2] == ["refund paypal", "refund"] and "this week" not in labels
    refund = body["topics"][1]
    assert refund["contact"] == 4 and refund["ended_on"][0]["count"] == 8
    assert refund["ended_on"][0]["url"] == "https://help.example.com/billing/request-a-refund/"
    assert body["topics"][0]["about"][0]["id"] == REFUND


def test_a_week_where_every_search_helped_sends_nothing(site):
    project, engine = site
    add_search(engine, "invoice", "en", 2, opened=REFUND, ending="satisfied", when=LAST_WEEK)
    assert digest(project, engine) == 0
    assert payloads(engine) == []


class _Receiver(BaseHTTPRequestHandler):
    got: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.got.append((self.headers["X-Kb-Event"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_kb_webhooks_deliver_sends_the_digest(site, runner, monkeypatch):
    project, engine = site
    add_journeys(engine, when=dt.datetime.now(UTC) - dt.timedelta(days=7))
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.got = []
    try:
        monkeypatch.setenv("KB_WEBHOOK_SECRET", "s")
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result = runner.invoke(main, ["webhooks", "deliver", "--url", url])
        assert result.exit_code == 0, result.output
        assert "1 queued, 1 sent" in result.output
        ((event, body),) = _Receiver.got
        assert event == "searches.not_found" and body["topics"][0]["topic"] == "refund paypal"
        again = runner.invoke(main, ["webhooks", "deliver", "--url", url])
        assert "0 queued, 0 sent" in again.output
    finally:
        server.shutdown()
        server.server_close()
