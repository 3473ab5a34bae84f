"""deploy/ as shipped, end to end: nginx in front (only paths, ports and a self-signed
certificate substituted), two gunicorn instances started with the units' own commands and
the example environment file, PostgreSQL, Redis rate limits, a built help center, and a
reader and a maintainer in Chromium through the proxy.

Each response carries exactly one Content-Security-Policy, the right one: the site's on pages,
the API's on /api/, the dashboard's on /dashboard/.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import signal
import ssl
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import pytest
from kb.feedback_api.dashboard import CSP as DASHBOARD_CSP
from kb.feedback_api.headers import API_CSP
from sqlalchemy import select

from kb.core.scaffold import init_project
from kb.core.site_headers import site_policy
from kb.plugin.builder import build_site
from kb.store.engine import make_engine
from kb.store.tables import feedback
from tests.deploy.shipped import (
    ENV_EXAMPLE,
    NGINX,
    NGINX_PROXY,
    NGINX_SITE,
    PROJECT,
    exec_start,
    read_env_file,
    substitute,
)
from tests.helpers import (
    SCREENSHOTS,
    drop_pg_schema,
    free_port,
    fresh_pg_url,
    pg_unreachable,
    require,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
PASSWORD = "deploy-admin-password-for-tests"
ARTICLE = "account/reset-your-password/"
REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_problem() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis client is not installed (pip install 'kb-helpcenter[redis]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} unreachable: {exc}"
    return None


def nginx_conf(root: Path, site: Path, ports: dict[str, int]) -> Path:
    """The shipped site config inside a minimal main config for a private nginx (its own
    pid, logs and temporary folders under ``root``, high loopback ports)."""
    snippets, logs = root / "snippets", root / "logs"
    snippets.mkdir()
    logs.mkdir()
    (snippets / "kb-proxy.conf").write_text(NGINX_PROXY.read_text())
    # the security headers, printed for this build by the helper as the guide says
    headers = subprocess.run(
        [sys.executable, "-m", "kb.core.site_headers", "--format", "nginx", str(site)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (snippets / "kb-headers.conf").write_text(headers)
    cert, key = root / "fullchain.pem", root / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=help.example.com", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site_conf = substitute(
        NGINX_SITE.read_text(),
        {
            "/etc/nginx/snippets/": f"{snippets}/",
            "/etc/letsencrypt/live/help.example.com/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/help.example.com/privkey.pem": str(key),
            "/var/log/nginx/": f"{logs}/",
            f"{PROJECT}/site": str(site),
            "listen 443 ": f"listen 127.0.0.1:{ports['https']} ",
            "listen 80;": f"listen 127.0.0.1:{ports['http']};",
            "127.0.0.1:8001": f"127.0.0.1:{ports['api1']}",
            "127.0.0.1:8002": f"127.0.0.1:{ports['api2']}",
        },
    )
    (root / "kb-site.conf").write_text(site_conf)
    temp = {name: root / f"{name}-temp" for name in ("client_body", "proxy", "fastcgi", "uwsgi")}
    temp["scgi"] = root / "scgi-temp"
    # as root, nginx's workers would drop to nobody, who cannot read the test's folders
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""
    main = root / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {root}/nginx.pid;\nerror_log {logs}/error.log;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        + "".join(f"  {name}_temp_path {path};\n" for name, path in temp.items())
        + f"  include {root}/kb-site.conf;\n}}\n"
    )
    return main


def start(cmd: list[str], log: Path, **kwargs) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until(check, what: str, logs: list[Path], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{what} did not come up:\n" + "\n".join(p.read_text()[-2000:] for p in logs))


def plain_status(port: int, path: str, https: bool = False) -> int:
    if https:
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=3, context=ctx
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def answers(port: int, path: str, https: bool = False) -> bool:
    return plain_status(port, path, https) == 200


@pytest.fixture(scope="module")
def stack(tmp_path_factory, browser):
    require(NGINX is not None, "nginx is not installed (apt-get install nginx)")
    reason = pg_unreachable() or redis_problem()
    require(reason is None, reason or "")
    root = tmp_path_factory.mktemp("deploy")
    project = root / "help"
    init_project(project, "en")
    build_site(project / "mkdocs.yml")
    site = project / "site"
    ports = {name: free_port() for name in ("https", "http", "api1", "api2")}
    conf = nginx_conf(root, site, ports)

    tested = subprocess.run(
        [NGINX, "-t", "-p", str(root), "-c", str(conf)], capture_output=True, text=True
    )
    assert tested.returncode == 0, tested.stderr
    assert "syntax is ok" in tested.stderr and "test is successful" in tested.stderr

    url, schema = fresh_pg_url()
    prefix = f"kb-deploy-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    shipped = read_env_file(ENV_EXAMPLE)
    assert shipped["KB_RATE_LIMIT_STORAGE"] == REDIS_URL and shipped["KB_TRUSTED_PROXIES"] == "1"
    env.update(shipped)
    env.update(
        KB_PROJECT_DIR=str(project),
        KB_SITE_DIR=str(site),
        KB_DATABASE_URL=url,
        KB_SECRET_KEY=uuid.uuid4().hex * 2,
        KB_ADMIN_PASSWORD=PASSWORD,
        KB_SITE_URL=f"https://127.0.0.1:{ports['https']}/",
        KB_RATE_LIMIT_KEY_PREFIX=prefix,
    )
    procs: list[subprocess.Popen] = []
    try:
        # kb-upgrade.service, then the instances that require it, as systemd would
        subprocess.run(exec_start("kb-upgrade.service"), cwd=project, env=env, check=True)
        logs = [root / "api1.log", root / "api2.log", root / "nginx.log"]
        for n, log in ((1, logs[0]), (2, logs[1])):
            port = str(ports[f"api{n}"])
            procs.append(start(exec_start("kb-api@.service", port), log, cwd=project, env=env))
        procs.append(start([NGINX, "-p", str(root), "-c", str(conf), "-g", "daemon off;"], logs[2]))
        for name in ("api1", "api2"):
            wait_until(partial(answers, ports[name], "/api/v1/health"), name, logs)
        wait_until(partial(answers, ports["https"], "/", https=True), "nginx", logs)
        yield {
            "base": f"https://127.0.0.1:{ports['https']}/",
            "ports": ports,
            "site": site,
            "url": url,
            "prefix": prefix,
        }
    finally:
        for proc in reversed(procs):
            stop(proc)
        drop_pg_schema(schema)


def one(response, name: str) -> str:
    """The only value of header ``name`` (fails when it is missing or repeated)."""
    headers = response.headers_array  # a method on a page's response, a list on a request's
    headers = headers() if callable(headers) else headers
    values = [h["value"] for h in headers if h["name"].lower() == name.lower()]
    assert len(values) == 1, (response.url, name, values)
    return values[0]


def test_a_reader_votes_and_a_maintainer_reads_the_dashboard_through_nginx(stack, browser):
    import redis

    base = stack["base"]
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(base + ARTICLE)
        assert response.status == 200
        site_headers = site_policy(stack["site"])
        assert one(response, "Content-Security-Policy") == site_headers["Content-Security-Policy"]
        assert one(response, "X-Frame-Options") == "SAMEORIGIN"
        assert one(response, "Referrer-Policy") == "strict-origin-when-cross-origin"
        assert one(response, "Strict-Transport-Security").startswith("max-age=")

        page.click("[data-csat='2']")
        page.click("[data-ces='3']")
        page.fill("textarea[name=comment]", "The reset link expired before I got it.")
        page.click("[data-kb-feedback] button[type=submit]")
        page.wait_for_selector("[data-kb-feedback-done]")

        engine = make_engine(stack["url"])
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(feedback.c.csat, feedback.c.ces, feedback.c.comment))
                assert [tuple(r) for r in rows] == [
                    (2, 3, "The reset link expired before I got it.")
                ]
        finally:
            engine.dispose()
        # the votes were counted in Redis, under this deployment's prefix
        counters = redis.Redis.from_url(REDIS_URL).keys(f"*{stack['prefix']}*")
        assert counters, "no rate-limit counter in Redis"

        api = page.request.get(base + "api/v1/health")
        assert api.status == 200 and api.json()["status"] == "ok"
        assert one(api, "Content-Security-Policy") == API_CSP
        assert one(api, "X-Frame-Options") == "DENY"
        assert one(api, "Referrer-Policy") == "no-referrer"
        assert one(api, "Strict-Transport-Security").startswith("max-age=")

        login = page.goto(base + "dashboard/")
        assert "/dashboard/login" in page.url
        assert one(login, "Content-Security-Policy") == DASHBOARD_CSP
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-site-votes]")
        assert page.inner_text("[data-site-votes]").strip() == "1"
        dashboard = page.request.get(base + "dashboard/")
        assert dashboard.status == 200
        assert one(dashboard, "Content-Security-Policy") == DASHBOARD_CSP
        assert one(dashboard, "X-Frame-Options") == "DENY"
        cookie = next(c for c in context.cookies() if c["path"].startswith("/dashboard"))
        assert cookie["secure"] and cookie["httpOnly"]
        page.screenshot(path=str(SCREENSHOTS / "kb-deploy-dashboard.png"))
    finally:
        context.close()


def test_what_nginx_refuses_redirects_and_hides(stack, browser):
    base, ports = stack["base"], stack["ports"]
    context = browser.new_context(ignore_https_errors=True)
    try:
        request = context.request
        # the build's private folder: the site's 404 page; Material's search index is public
        for path in ("_kb/manifest.json", "_kb/revisions.json", "_kb/search/CURRENT"):
            hidden = request.get(base + path)
            assert hidden.status == 404, path
            assert "<html" in hidden.text() and "review_by" not in hidden.text(), path
        missing = request.get(base + "no-such-page/")
        assert missing.status == 404 and "<html" in missing.text()
        assert one(missing, "Content-Security-Policy").startswith("default-src 'self'")
        index = request.get(base + "search/search_index.json")
        assert index.status == 200 and index.json()["docs"]
        # an oversized vote: nginx answers in the API's one error shape
        big = request.post(
            base + "api/v1/feedback",
            data=json.dumps({"comment": "x" * 100_000}),
            headers={"Content-Type": "application/json"},
        )
        assert big.status == 413
        assert big.json()["error"]["code"] == "payload_too_large"
    finally:
        context.close()
    conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=3)
    try:
        conn.request("GET", "/" + ARTICLE)
        answer = conn.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == f"https://127.0.0.1/{ARTICLE}"
    finally:
        conn.close()
