"""Views and contacts survive a crash: gunicorn (2 workers) is killed with SIGKILL mid-load,
twice, and started again, on SQLite and on PostgreSQL.

Client threads send views and contacts as the page's beacon does: a new random id each, and
the same id again until the API acknowledges it (a connection cut, a refusal while the server
is down, a 5xx). Afterwards every acknowledged view is in the day's counters once — their sum
is exactly the number of view ids sent, since every one was acknowledged in the end — and
every acknowledged contact is stored once, with nothing stored that no client sent.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from kb.store.engine import make_engine, upgrade
from kb.store.tables import contacts, view_counts, view_ids, view_readers
from tests.helpers import drop_pg_schema, fresh_pg_url, pg_unreachable, require
from tests.store.test_multi_instance import Instance, instance_env
from tests.store.test_multi_instance import request as call

LOAD_SECONDS = 1.0  # between kills
KILLS = 2
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request, tmp_path, feedback_site):
    if request.param == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'journey.db'}", None
    else:
        reason = pg_unreachable()
        require(reason is None, reason or "")
        url, schema = fresh_pg_url()
    engine = make_engine(url)
    upgrade(engine)
    inst = Instance(instance_env(url, feedback_site, tmp_path), tmp_path / "gunicorn.log")
    inst.start()
    try:
        yield inst, engine
    finally:
        inst.stop()
        engine.dispose()
        if schema:
            drop_pg_schema(schema)


def test_acknowledged_views_and_contacts_survive_sigkill_counted_once(server, feedback_site):
    inst, engine = server
    articles = json.loads((feedback_site / "_kb" / "manifest.json").read_text())["articles"]
    stop = threading.Event()
    lock = threading.Lock()
    views_sent: set[str] = set()
    views_acked: dict[str, int] = {}
    viewed: set[str] = set()
    contacts_sent: set[str] = set()
    contacts_acked: dict[str, int] = {}
    stats = {"requests": 0, "retries": 0}

    def send(path: str, body: dict, sent: set, acked: dict) -> None:
        """The same id until acknowledged; bounded, like everything here."""
        with lock:
            sent.add(body["id"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                stats["requests"] += 1
            try:
                status, _, _ = call(
                    inst.port, "POST", path, body, headers={"User-Agent": BROWSER}, timeout=5
                )
            except (OSError, http.client.HTTPException):  # killed, refused, cut mid-answer
                status = 0
            if status in (200, 201):
                with lock:
                    acked.setdefault(body["id"], status)
                return
            with lock:
                stats["retries"] += 1
            time.sleep(0.05)

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            art = articles[(n + i) % len(articles)]
            at = {"article": art["id"], "revision": art["revision"], "lang": "en"}
            send("/api/v1/views", {**at, "id": str(uuid.uuid4())}, views_sent, views_acked)
            with lock:
                viewed.add(art["id"])
            if i % 5 == 0:
                body = {**at, "id": str(uuid.uuid4()), "q": f"question {n} {i}", "csat": 2}
                send("/api/v1/contacts", body, contacts_sent, contacts_acked)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    try:
        for _ in range(KILLS):
            time.sleep(LOAD_SECONDS)
            inst.kill()
            time.sleep(0.2)  # beacons arrive while it is down: refused, and retried
            inst.start()
        time.sleep(LOAD_SECONDS)
    finally:
        stop.set()
        for t in threads:
            t.join(60)

    with engine.connect() as conn:
        counted = conn.execute(select(func.coalesce(func.sum(view_counts.c.views), 0))).scalar()
        ids = set(conn.execute(select(view_ids.c.view)).scalars())
        readers = conn.execute(select(func.count()).select_from(view_readers)).scalar()
        stored = list(conn.execute(select(contacts.c.contact)).scalars())
    print(
        f"journey crash: {stats['requests']} requests, {stats['retries']} retried; "
        f"{len(views_acked)} views acknowledged ({sum(s == 200 for s in views_acked.values())} "
        f"as already counted), {counted} counted; {len(contacts_acked)} contacts, "
        f"{len(stored)} stored"
    )
    assert stats["retries"] > 0, "no request was cut: the kills did not hit the load"
    assert len(views_acked) > 50 and len(contacts_acked) > 5
    assert set(views_acked) == views_sent, "a view was never acknowledged"
    assert ids == views_sent  # each sent id remembered once, none that no client sent
    assert counted == len(views_sent), "a view was lost or counted twice"
    assert readers == len(viewed)  # one browser and address: one reader per article a day
    assert len(stored) == len(set(stored)) and set(stored) == contacts_sent
    assert set(contacts_acked) == contacts_sent
