"""Two ``kb webhooks deliver`` runs at once (an overlapping cron job) send each event once."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa

from kb.review import webhooks
from kb.store.engine import make_engine
from kb.store.tables import webhook_outbox

EVENTS = 12


class _SlowReceiver(BaseHTTPRequestHandler):
    """Records each delivery id; slow enough that the two deliverers overlap."""

    seen: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        with _SlowReceiver.lock:
            _SlowReceiver.seen.append(self.headers["X-Kb-Delivery"])
        time.sleep(0.02)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_two_deliverers_at_once_post_each_event_exactly_once(db_url, engine):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SlowReceiver.seen = []
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    for i in range(EVENTS):
        assert webhooks.enqueue(engine, url, "vote.low", f"vote.low:{i}", {"n": i})
    start = threading.Barrier(2)
    results: list[webhooks.DeliveryResult] = []
    errors: list[BaseException] = []

    def deliverer() -> None:
        own = make_engine(db_url)  # each run is its own process with its own connections
        try:
            start.wait()
            results.append(webhooks.deliver(own, "secret"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            own.dispose()

    runs = [threading.Thread(target=deliverer) for _ in range(2)]
    try:
        for run in runs:
            run.start()
        for run in runs:
            run.join(60)
    finally:
        server.shutdown()
        server.server_close()
    assert not errors
    assert len(_SlowReceiver.seen) == EVENTS  # every event arrived ...
    assert len(set(_SlowReceiver.seen)) == EVENTS  # ... and none twice
    assert sum(r.sent for r in results) == EVENTS
    assert webhooks.pending(engine) == {"sent": EVENTS}


def test_a_claimed_event_is_left_to_its_deliverer_until_the_lease_ends(engine):
    webhooks.enqueue(engine, "http://127.0.0.1:9/hook", "vote.low", "vote.low:1", {})
    at = webhooks.now()
    (event_id,) = [r["id"] for r in _rows(engine)]
    assert webhooks.claim(engine, event_id, at)
    assert not webhooks.claim(engine, event_id, at)  # the other deliverer loses
    sent: list[str] = []
    assert webhooks.deliver(engine, None, post=lambda *a: sent.append(a[0]) or 204, at=at).sent == 0
    later = at + webhooks.LEASE  # the first deliverer died while sending: sent again
    assert (
        webhooks.deliver(engine, None, post=lambda *a: sent.append(a[0]) or 204, at=later).sent == 1
    )
    assert len(sent) == 1


def _rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(webhook_outbox)).mappings()]
