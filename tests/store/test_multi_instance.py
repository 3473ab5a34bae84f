"""Several API instances on one PostgreSQL, the way a help center outgrows one machine.

Two gunicorn instances (two workers each) on two loopback ports share one database. Client
threads post votes to both, as a load balancer would, and retry a failed request on the other
instance with the same submission, as the widget does. Halfway through, one instance is
killed with SIGKILL. Afterwards every acknowledged vote is stored exactly once (follow-up
steps included), nothing is stored that was not sent, and the dashboard's scores and flags
are the same from the surviving instance and from the killed one once it is back.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from kb.store.engine import make_engine, upgrade
from kb.store.tables import feedback
from tests.helpers import drop_pg_schema, free_port, fresh_pg_url, pg_unreachable, require

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PASSWORD = "multi-instance-admin"
LOAD_SECONDS = 1.5  # before the kill, and again after it


class Instance:
    def __init__(self, env: dict, log_path):
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "--graceful-timeout",
                    "2",
                    "--timeout",
                    "30",
                    "kb.feedback_api:create_app()",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not start:\n{open(self.log_path).read()[-3000:]}")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the master and its workers, no goodbye
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict | None = None,
    timeout: float = 5,
) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=data, headers={**hdrs, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def instance_env(db_url: str, site, project, **more: str) -> dict:
    """An API instance's environment: this one's, less its KB_ settings, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        KB_DATABASE_URL=db_url,
        KB_SITE_DIR=str(site),
        KB_PROJECT_DIR=str(project),
        KB_RATE_LIMIT="off",
        **more,
    )
    return env


@pytest.fixture
def cluster(tmp_path, feedback_site):
    reason = pg_unreachable()
    require(reason is None, reason or "")
    url, schema = fresh_pg_url()
    engine = make_engine(url)
    upgrade(engine)
    env = instance_env(
        url,
        feedback_site,
        tmp_path,
        KB_ADMIN_PASSWORD=PASSWORD,
        KB_SECRET_KEY="shared-by-every-instance",
    )
    instances = [Instance(env, tmp_path / f"gunicorn-{n}.log") for n in range(2)]
    try:
        for inst in instances:
            inst.start()
        yield instances, engine
    finally:
        for inst in instances:
            inst.stop()
        engine.dispose()
        drop_pg_schema(schema)


def test_votes_survive_an_instance_killed_mid_load(cluster, feedback_site):
    (a, b), engine = cluster
    manifest = json.loads((feedback_site / "_kb" / "manifest.json").read_text())["articles"]
    stop = threading.Event()
    lock = threading.Lock()
    sent: set[str] = set()
    acked: dict[str, dict] = {}  # submission -> the last vote state an instance acknowledged
    stats = {"requests": 0, "failed_requests": 0, "unacknowledged": 0}

    def post(vote: dict, first: int) -> bool:
        """POST to one instance, then (on refusal or 5xx) to the other: same submission."""
        for attempt in range(4):
            port = (a, b)[(first + attempt) % 2].port
            with lock:
                stats["requests"] += 1
            try:
                status, _, _ = request(port, "POST", "/api/v1/feedback", vote, timeout=5)
            except (OSError, http.client.HTTPException):  # refused, reset, cut mid-answer
                status = 0
            if status in (200, 201):
                with lock:
                    acked[vote["submission"]] = dict(vote)
                return True
            with lock:
                stats["failed_requests"] += 1
            time.sleep(0.05)
        with lock:
            stats["unacknowledged"] += 1
        return False

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            art = manifest[(n + i) % len(manifest)]
            vote = {
                "article": art["id"],
                "revision": art["revision"],
                "csat": 1 + (i + n) % 5,
                "submission": str(uuid.uuid4()),
            }
            with lock:
                sent.add(vote["submission"])
            if post(vote, i % 2) and i % 3 == 0:  # a follow-up step, to the other instance
                post({**vote, "ces": 1 + i % 7}, (i + 1) % 2)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS)
    a.kill()
    killed_at = stats["requests"]
    time.sleep(LOAD_SECONDS)
    stop.set()
    for t in threads:
        t.join(30)

    with engine.connect() as conn:
        rows = conn.execute(
            select(feedback.c.submission, feedback.c.csat, feedback.c.ces, feedback.c.version)
        ).all()
    stored = {r.submission: r for r in rows}
    print(
        f"multi-instance: {stats['requests']} requests ({killed_at} before the kill, "
        f"{stats['failed_requests']} failed and retried), {len(sent)} votes sent, "
        f"{len(acked)} acknowledged, {len(rows)} stored, "
        f"{stats['unacknowledged']} never acknowledged"
    )
    assert len(acked) > 20 and stats["requests"] > killed_at > 0
    assert len(rows) == len(stored), "a submission was stored twice"
    missing = [s for s in acked if s not in stored]
    assert missing == [], f"{len(missing)} acknowledged votes were lost"
    assert set(stored) <= sent, "a vote appeared that no client sent"
    for sub, vote in acked.items():
        row = stored[sub]
        assert row.csat == vote["csat"]
        if "ces" in vote:
            assert row.ces == vote["ces"] and row.version >= 2, (vote, row)

    # the killed instance comes back; both answer the same scores and flags
    a.start()
    views = [dashboard_view(inst.port) for inst in (a, b)]
    assert views[0] == views[1]
    # every client shares one address and browser, so the review counts one reader per
    # article and day (deduplication), however many votes they sent
    assert views[0]["votes"] == len(manifest)


def dashboard_view(port: int) -> dict:
    """Log in to the dashboard of one instance; its flags and its trend data."""
    status, body, headers = request(port, "GET", "/dashboard/login")
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/dashboard/login",
        body=f"csrf_token={token}&password={PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 302, resp.status
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    conn.close()
    _, overview, _ = request(port, "GET", "/dashboard/", headers={"Cookie": cookie}, timeout=30)
    _, flags, _ = request(port, "GET", "/dashboard/flags", headers={"Cookie": cookie}, timeout=30)
    chart = re.search(rb'id="kb-chart-data">(.*?)</script>', overview).group(1)
    charts = {c["kind"]: c["data"] for c in json.loads(chart)["charts"]}
    trend = charts["trend"]
    return {
        "flags": sorted(re.findall(rb'data-flag="([^"]+)"', flags)),
        "trend": trend,
        "votes": sum(trend["votes"]),
    }
