"""deploy/caddy/Caddyfile as shipped, in front of the same two API instances: the same
promises as the nginx config (one policy per answer, the right one; /_kb/ hidden; a JSON 413;
the site's 404 page)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from kb.feedback_api.dashboard import CSP as DASHBOARD_CSP
from kb.feedback_api.headers import API_CSP

from kb.core.site_headers import site_policy
from tests.deploy.stack import caddy_conf, check_delivery, https_request, start, stop, wait_until
from tests.helpers import free_port, require

pytestmark = pytest.mark.postgres
CADDY = shutil.which("caddy")


@pytest.fixture(scope="module")
def caddy(stack):
    require(CADDY is not None, "Caddy is not installed (apt-get install caddy)")
    root, ports = stack["root"], dict(stack["ports"])
    ports.update(caddy=free_port(), caddy_http=free_port())
    config = caddy_conf(root, stack["site"], ports)
    env = dict(os.environ, HOME=str(root), XDG_DATA_HOME=str(root), XDG_CONFIG_HOME=str(root))
    checked = subprocess.run(
        [CADDY, "validate", "--config", str(config), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    log = root / "caddy.log"
    proc = start([CADDY, "run", "--config", str(config), "--adapter", "caddyfile"], log, env=env)
    try:
        wait_until(lambda: https_request(ports["caddy"], "GET", "/")[0] == 200, "caddy", [log])
        yield ports["caddy"]
    finally:
        stop(proc)


def test_caddy_sends_one_policy_per_answer_and_hides_the_private_folder(caddy, stack):
    status, headers, _ = https_request(caddy, "GET", "/account/reset-your-password/")
    assert status == 200
    assert headers["content-security-policy"] == [
        site_policy(stack["site"])["Content-Security-Policy"]
    ]
    assert headers["x-frame-options"] == ["SAMEORIGIN"]
    assert len(headers["strict-transport-security"]) == 1

    status, headers, body = https_request(caddy, "GET", "/api/v1/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["content-security-policy"] == [API_CSP]
    assert headers["x-frame-options"] == ["DENY"]

    status, headers, _ = https_request(caddy, "GET", "/dashboard/login")
    assert status == 200 and headers["content-security-policy"] == [DASHBOARD_CSP]

    for path in ("/_kb/manifest.json", "/_kb/revisions.json", "/no-such-page/"):
        status, headers, body = https_request(caddy, "GET", path)
        assert status == 404 and b"<html" in body and b"review_by" not in body, path
        assert len(headers["content-security-policy"]) == 1, path
    status, _, body = https_request(caddy, "GET", "/search/search_index.json")
    assert status == 200 and json.loads(body)["docs"]

    big = json.dumps({"comment": "x" * 100_000}).encode()
    status, headers, body = https_request(caddy, "POST", "/api/v1/feedback", big)
    assert status == 413, body[:300]
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_caddy_compresses_and_caches_as_the_preview_does(caddy, stack):
    check_delivery(caddy, stack["site"])
