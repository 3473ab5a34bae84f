"""The deployment every test of this folder shares (started once): PostgreSQL, Redis, two
gunicorn instances started with the units' own commands and the example environment file,
a built help center, and nginx in front of them."""

from __future__ import annotations

import os
import subprocess
import uuid
from functools import partial

import pytest

from kb.core.scaffold import init_project
from kb.plugin.builder import build_site
from tests.deploy.shipped import ENV_EXAMPLE, NGINX, exec_start, read_env_file, unit_environment
from tests.deploy.stack import (
    PASSWORD,
    REDIS_URL,
    answers,
    nginx_conf,
    redis_problem,
    start,
    stop,
    wait_until,
)
from tests.helpers import drop_pg_schema, free_port, fresh_pg_url, pg_unreachable, require


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
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
            own = env | unit_environment("kb-api@.service", port, root / "run")
            procs.append(start(exec_start("kb-api@.service", port), log, cwd=project, env=own))
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
            "root": root,
        }
    finally:
        for proc in reversed(procs):
            stop(proc)
        drop_pg_schema(schema)
