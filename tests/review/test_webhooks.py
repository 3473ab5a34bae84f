"""Webhooks: an outbox that loses nothing, retries with backoff, signs every POST."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kb.cli import main
from kb.plugin.builder import build_site
from kb.plugin.project import load_project
from kb.review import webhooks
from kb.review.report import load_review
from tests.review_helpers import add_votes, baseline_votes, engine_for, manifest_articles

UTC = dt.timezone.utc
WEAK = "request-a-refund-4c8e01"
SECRET = "test-secret"


@pytest.fixture
def site(project, monkeypatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    build_site(project / "mkdocs.yml")
    arts = manifest_articles(project)
    engine = engine_for(project)
    baseline_votes(engine, arts, skip=(WEAK,))
    add_votes(engine, WEAK, arts[WEAK]["revision"], [1, 2, 2, 1, 5] * 6, ces=2)
    add_votes(
        engine,
        WEAK,
        arts[WEAK]["revision"],
        [1],
        comment="Where is the refund button?",
        visitor_prefix="c",
    )
    yield project, engine
    engine.dispose()


def queue(project, engine):
    review = load_review(engine, load_project(project / "mkdocs.yml"), recover=False)
    return webhooks.collect(engine, review, "http://127.0.0.1:9/hook")


def test_low_vote_with_comment_and_new_flag_are_queued_once(site):
    project, engine = site
    assert queue(project, engine) == 2
    assert queue(project, engine) == 0  # the same causes are never queued again
    assert webhooks.pending(engine) == {"pending": 2}


def test_delivery_is_signed_and_marked_sent(site):
    project, engine = site
    queue(project, engine)
    seen = []

    def post(url, body, headers):
        seen.append((url, body, headers))
        return 200

    result = webhooks.deliver(engine, SECRET, post=post)
    assert (result.sent, result.retrying) == (2, 0)
    events = {h["X-Kb-Event"]: json.loads(b) for _, b, h in seen}
    assert events["vote.low"]["vote"]["comment"] == "Where is the refund button?"
    assert events["article.flagged"]["article"]["id"] == WEAK
    assert events["article.flagged"]["reasons"][0].startswith("CSAT ")
    for _, body, h in seen:
        assert webhooks.verify(SECRET, h["X-Kb-Timestamp"], body, h["X-Kb-Signature"])
        assert not webhooks.verify("other", h["X-Kb-Timestamp"], body, h["X-Kb-Signature"])
    assert webhooks.pending(engine) == {"sent": 2}


def test_receiver_down_means_retry_later_never_lost(site):
    project, engine = site
    queue(project, engine)
    t0 = dt.datetime.now(UTC)

    def down(url, body, headers):
        raise ConnectionRefusedError("receiver is down")

    first = webhooks.deliver(engine, SECRET, post=down, at=t0)
    assert (first.sent, first.retrying) == (0, 2)
    # Not due again straight away: backoff.
    soon = t0 + dt.timedelta(seconds=5)
    assert webhooks.deliver(engine, SECRET, post=down, at=soon).retrying == 0
    later = webhooks.deliver(engine, SECRET, post=lambda *a: 503, at=t0 + dt.timedelta(minutes=1))
    assert later.retrying == 2
    done = webhooks.deliver(engine, SECRET, post=lambda *a: 204, at=t0 + dt.timedelta(hours=1))
    assert done.sent == 2 and webhooks.pending(engine) == {"sent": 2}


def test_gives_up_after_max_attempts_and_keeps_the_event(site):
    project, engine = site
    queue(project, engine)
    at = dt.datetime.now(UTC)
    for _ in range(3):
        webhooks.deliver(engine, SECRET, post=lambda *a: 500, at=at, max_attempts=3)
        at += dt.timedelta(days=1)
    assert webhooks.pending(engine) == {"failed": 2}


def test_backoff_doubles_and_is_capped():
    import random

    rng = random.Random(1)
    delays = [webhooks.backoff(n, rng) for n in range(1, 16)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72
    assert max(delays) <= webhooks.MAX_DELAY * 1.2


class _Receiver(BaseHTTPRequestHandler):
    got: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = webhooks.verify(
            SECRET, self.headers["X-Kb-Timestamp"], body, self.headers["X-Kb-Signature"]
        )
        _Receiver.got.append((self.headers["X-Kb-Event"], ok))
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_kb_webhooks_deliver_posts_to_a_real_receiver(site, runner, monkeypatch):
    project, engine = site
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.got = []
    try:
        monkeypatch.setenv("KB_WEBHOOK_SECRET", SECRET)
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result = runner.invoke(main, ["webhooks", "deliver", "--url", url])
        assert result.exit_code == 0, result.output
        assert "2 queued, 2 sent" in result.output
        assert sorted(_Receiver.got) == [("article.flagged", True), ("vote.low", True)]
        status = runner.invoke(main, ["webhooks", "status"])
        assert "sent: 2" in status.output
    finally:
        server.shutdown()
        server.server_close()


def test_deliver_without_url_is_a_clean_error(site, runner, monkeypatch):
    monkeypatch.delenv("KB_WEBHOOK_URL", raising=False)
    result = runner.invoke(main, ["webhooks", "deliver"])
    assert result.exit_code == 1 and "no webhook URL" in result.output


def test_a_corrected_url_re_targets_pending_events_and_status_shows_the_last_error(
    site, runner, monkeypatch
):
    project, engine = site
    monkeypatch.setenv("KB_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("KB_WEBHOOK_URL", raising=False)
    wrong = runner.invoke(main, ["webhooks", "deliver", "--url", "http://127.0.0.1:9/typo"])
    assert "2 queued, 0 sent, 2 to retry" in wrong.output, wrong.output
    status = runner.invoke(main, ["webhooks", "status"])
    assert "pending: 2" in status.output
    assert "last error: " in status.output and "to 127.0.0.1:9, attempt 1, will retry" in (
        status.output
    )
    assert "/typo" not in status.output  # a receiver's path may be its secret

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.got = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        fixed = runner.invoke(main, ["webhooks", "deliver", "--url", url])
        assert "2 pending events now go to the current URL" in fixed.output
        assert "0 queued, 2 sent" in fixed.output, fixed.output
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(_Receiver.got) == [("article.flagged", True), ("vote.low", True)]
    after = runner.invoke(main, ["webhooks", "status"])
    assert "sent: 2" in after.output and "last error" not in after.output


def test_a_contact_with_support_is_announced_once_with_what_the_reader_tried(site):
    from kb.core.journey import Contact
    from kb.store.engine import write_transaction
    from kb.store.journey import record_contact

    project, engine = site
    arts = manifest_articles(project)
    contact = Contact(
        contact="5f0c1d2e-0000-4000-8000-00000000c0de",
        article=WEAK,
        revision=arts[WEAK]["revision"],
        lang="en",
        query="Refund  for my annual plan, me@example.com",
        csat=1,
        ces=2,
        reason="missing_steps",
        visitor="v" * 32,
    )
    with write_transaction(engine) as conn:
        assert record_contact(conn, contact) is not None
    assert queue(project, engine) == 3  # the low vote, the flag and the contact
    assert queue(project, engine) == 0
    seen = []
    webhooks.deliver(engine, SECRET, post=lambda u, b, h: seen.append((h, b)) or 200)
    [event] = [json.loads(b) for h, b in seen if h["X-Kb-Event"] == "support.contact"]
    assert event["context"] == {
        "article": WEAK,
        "title": "Can I get a refund?",
        "q": "refund for my annual plan, [email]",  # as stored: normalised, masked
        "csat": 1,
        "ces": 2,
    }
    assert event["article"]["title"] == "Can I get a refund?"
    assert (event["contact"]["reason"], event["contact"]["revision"]) == (
        "missing_steps",
        arts[WEAK]["revision"],
    )
    assert "visitor" not in event["contact"]  # the reader's hash never leaves kb
