"""The parts of a deployment the tests start: nginx (or Caddy) from deploy/ with only paths,
ports and a self-signed certificate substituted, and processes stopped with their children."""

from __future__ import annotations

import gzip
import http.client
import os
import pwd
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.core import delivery
from tests.deploy.shipped import CADDYFILE, NGINX_PROXY, NGINX_SITE, PROJECT, substitute

PASSWORD = "deploy-admin-password-for-tests"
REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_problem() -> str | None:
    try:
        import redis  # the redis extra: without it this is the reason to skip
    except ImportError:
        return "the redis client is not installed (kb's redis extra)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} unreachable: {exc}"
    return None


def printed_headers(site: Path, fmt: str) -> str:
    """The security headers for ``site`` as the guide prints them: the helper's command."""
    command = [sys.executable, "-m", "kb.core.site_headers", "--format", fmt, str(site)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


IPV6 = _ipv6_loopback()


def nginx_conf(root: Path, site: Path, ports: dict[str, int]) -> Path:
    """The shipped site config inside a minimal main config for a private nginx (its own
    pid, logs and temporary folders under ``root``, high loopback ports)."""
    snippets, logs = root / "snippets", root / "logs"
    snippets.mkdir()
    logs.mkdir()
    (snippets / "kb-proxy.conf").write_text(NGINX_PROXY.read_text())
    # the security headers, printed for this build by the helper as the guide says
    headers = printed_headers(site, "nginx")
    (snippets / "kb-headers.conf").write_text(headers)
    cert, key = root / "fullchain.pem", root / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=help.example.com", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
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
            # the IPv6 lines on the IPv6 loopback, the same ports (left out without IPv6)
            "listen [::]:443 ": f"listen [::1]:{ports['https']} " if IPV6 else "# listen [::1] ",
            "listen [::]:80;": f"listen [::1]:{ports['http']};" if IPV6 else "# listen [::1];",
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


def plain_status(port: int, path: str, https: bool = False, host: str = "127.0.0.1") -> int:
    if https:
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=3, context=ctx
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=3)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def https_request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, list[str]], bytes]:
    """One request over TLS to 127.0.0.1 (the test's own certificate, not checked): status,
    every header's values by lower-case name (repeats kept), body."""
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
    try:
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        seen: dict[str, list[str]] = {}
        for name, value in answer.getheaders():
            seen.setdefault(name.lower(), []).append(value)
        return answer.status, seen, answer.read()
    finally:
        conn.close()


def answers(port: int, path: str, https: bool = False) -> bool:
    return plain_status(port, path, https) == 200


def caddy_conf(root: Path, site: Path, ports: dict[str, int]) -> Path:
    """The shipped Caddyfile for a private Caddy: the site's address with a high port and the
    certificate of nginx_conf (``tls``), and global options that keep Caddy off the
    machine's ports 80/443, its admin port and its trust store."""
    headers = printed_headers(site, "caddy")
    (root / "kb-headers.caddy").write_text(headers)
    config = substitute(
        CADDYFILE.read_text(),
        {
            "help.example.com {\n": (
                f"https://127.0.0.1:{ports['caddy']} {{\n"
                f"\ttls {root / 'fullchain.pem'} {root / 'privkey.pem'}\n"
            ),
            "/etc/caddy/kb-headers.caddy": str(root / "kb-headers.caddy"),
            f"{PROJECT}/site": str(site),
            "127.0.0.1:8001": f"127.0.0.1:{ports['api1']}",
            "127.0.0.1:8002": f"127.0.0.1:{ports['api2']}",
        },
    )
    options = (
        f"{{\n\tadmin off\n\tskip_install_trust\n\thttp_port {ports['caddy_http']}\n"
        f"\thttps_port {ports['caddy']}\n\tstorage file_system {root / 'caddy-data'}\n}}\n\n"
    )
    path = root / "Caddyfile"
    path.write_text(options + config)
    return path


def check_delivery(port: int, site: Path) -> None:
    """The server on ``port`` gzips and caches the built ``site`` as ``kb serve`` does
    (kb/core/delivery.py): a page, a fingerprinted asset, the search index; an image as it is."""
    page = (site / "index.html").read_text(encoding="utf-8")
    asset = re.search(r'href="(assets/kb/kb\.[0-9a-f]{8}\.css)"', page).group(1)
    files = {"/": "index.html", "/" + asset: asset, "/search/search_index.json": ""}
    for path, name in files.items():
        status, headers, body = https_request(port, "GET", path, headers=GZIP)
        assert status == 200, path
        assert headers["cache-control"] == [delivery.cache_control(path)], path
        assert headers["content-encoding"] == ["gzip"], path
        assert "Accept-Encoding" in ", ".join(headers["vary"]), path
        if name:
            assert gzip.decompress(body) == (site / name).read_bytes(), path
    assert delivery.cache_control("/" + asset) == delivery.IMMUTABLE
    status, headers, body = https_request(port, "GET", "/assets/images/favicon.png", headers=GZIP)
    assert status == 200 and "content-encoding" not in headers and body.startswith(b"\x89PNG")
    assert headers["cache-control"] == [delivery.REVALIDATE]
    status, headers, _ = https_request(port, "GET", "/api/v1/health", headers=GZIP)
    assert status == 200 and delivery.IMMUTABLE not in headers.get("cache-control", [])


GZIP = {"Accept-Encoding": "gzip"}
