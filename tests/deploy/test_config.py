"""The files of deploy/ without running a server: the security headers only on the static
locations and printed by the helper in the syntax the configs include, every setting in the
example environment file, units systemd accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from kb.feedback_api.config import SETTINGS

from kb.core.site_headers import BASE_HEADERS, main, render, site_policy
from tests.deploy.shipped import (
    CADDYFILE,
    DEPLOY,
    ENV_EXAMPLE,
    NGINX_SITE,
    PROJECT,
    UNITS,
    VENV_BIN,
    read_env_file,
    substitute,
    unit_values,
)
from tests.helpers import ROOT, require

# Settings read straight from the environment by the commands (not the API's SETTINGS).
COMMAND_SETTINGS = {"KB_WEBHOOK_URL", "KB_WEBHOOK_SECRET", "KB_SEARCH_MODEL"}


def nginx_blocks(text: str) -> dict[str, str]:
    """``location ...`` -> its body, for the shipped site config's (unnested) locations."""
    return {
        m.group(1).strip(): m.group(2)
        for m in re.finditer(r"(?m)^\s*location\s+([^{]+)\{(.*?)^\s*\}", text, re.S)
    }


def test_the_helper_prints_nginx_and_caddy_syntax(built_site, capsys):
    policy = site_policy(built_site)
    assert main(["--format", "nginx", str(built_site)]) == 0
    nginx = capsys.readouterr().out.splitlines()
    assert len(nginx) == len(policy)
    for line, (name, value) in zip(nginx, policy.items(), strict=True):
        assert line == f'add_header {name} "{value}" always;'
    assert main(["--format", "caddy", str(built_site), "https://api.example.com"]) == 0
    caddy = capsys.readouterr().out.splitlines()
    assert caddy[0] == 'header X-Content-Type-Options "nosniff"'
    assert any("connect-src 'self' https://api.example.com" in line for line in caddy)
    assert main(["--format", "apache", str(built_site)]) == 2
    quoted = render({"X-Test": 'a "b" \\c'}, "nginx")
    assert quoted == 'add_header X-Test "a \\"b\\" \\\\c" always;\n'


def test_nginx_adds_the_site_headers_on_the_static_locations_only():
    text = NGINX_SITE.read_text()
    blocks = nginx_blocks(text)
    assert "kb-headers.conf" in blocks["/"]
    for api in ("/api/", "/dashboard"):
        assert "proxy_pass http://kb_api;" in blocks[api]
        assert "add_header" not in blocks[api] and "kb-headers" not in blocks[api], api
    # nothing outside the locations adds a header the API or the dashboard sets itself
    outside = re.sub(r"(?ms)^\s*location\s+[^{]+\{.*?^\s*\}", "", text)
    for name in (*BASE_HEADERS, "Content-Security-Policy"):
        assert name not in outside, name
    assert "return 404" in blocks["^~ /_kb/"]
    assert re.search(r"(?m)^\s*error_page 404 /404.html;", text)
    assert "return 301 https://$host$request_uri;" in text
    # both address families; HTTP/2 in nginx 1.22's words, nginx 1.25.1's form given beside
    listens = re.findall(r"(?m)^\s*listen (.*);", text)
    assert listens == ["80", "[::]:80", "443 ssl http2", "[::]:443 ssl http2"]
    assert "nginx 1.25.1" in text and '"http2 on;"' in text
    assert text.count("server_tokens off;") == 2  # in each server block
    assert text.count("server 127.0.0.1:") == 2  # the upstream's two instances
    size = re.search(r"client_max_body_size (\d+)k;", text)
    assert size and int(size.group(1)) * 1024 == 65536 and '"payload_too_large"' in text


def test_caddy_adds_the_site_headers_on_the_static_handlers_only():
    text = CADDYFILE.read_text()
    api = re.search(r"(?ms)^\thandle @kb_api \{(.*?)^\t\}", text)
    assert api and "reverse_proxy 127.0.0.1:8001 127.0.0.1:8002" in api.group(1)
    assert "kb-headers" not in api.group(1)
    assert not [name for name in (*BASE_HEADERS, "Content-Security-Policy") if name in api.group(1)]
    static = re.search(r"(?ms)^\thandle \{(.*?)^\t\}", text)
    assert static and "import /etc/caddy/kb-headers.caddy" in static.group(1)
    assert "handle /_kb/*" in text and '"payload_too_large"' in text


def test_the_example_environment_file_has_every_setting_and_no_shell():
    text = ENV_EXAMPLE.read_text()
    settings = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in settings if "$(" in line or line.startswith("export ")]
    named = set(re.findall(r"(?m)^#?\s?(KB_[A-Z_]+)=", text))
    expected = {var for var, _ in SETTINGS.values()} | COMMAND_SETTINGS
    assert expected <= named, expected - named
    # and every variable the code reads is one of them
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for folder in ("kb", "feedback_api", "search")
        for p in (ROOT / folder).rglob("*.py")
    )
    read = set(re.findall(r"environ(?:\.get\(|\[)\s*\"(KB_[A-Z_]+)\"", source))
    assert read <= expected | {"KB_TEST_DATABASE_URL"}, read - expected
    env = read_env_file(ENV_EXAMPLE)
    assert env["KB_PROJECT_DIR"] == PROJECT and env["KB_TRUSTED_PROXIES"] == "1"


def test_every_setting_is_in_the_deployment_guide():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for var in [v for v, _ in SETTINGS.values()] + sorted(COMMAND_SETTINGS):
        assert f"`{var}`" in guide, var


def test_units_read_the_environment_file_and_install():
    names = {unit.name for unit in UNITS}
    assert {
        "kb-api@.service",
        "kb-upgrade.service",
        "kb-webhooks.service",
        "kb-purge.service",
        "kb-purge.timer",
    } <= names
    for unit in UNITS:
        text = unit.read_text()
        if unit.suffix == ".service":
            assert unit_values(unit, "EnvironmentFile") == ["/etc/kb/api.env"], unit.name
            assert unit_values(unit, "User") == ["kb"], unit.name
            # /srv/kb is 755 for nginx: a SQLite database made by a unit is kb's alone
            assert unit_values(unit, "UMask") == ["0027"], unit.name
        if unit.name != "kb-purge.service":  # started by its timer
            assert "[Install]" in text, unit.name
    api = DEPLOY / "systemd" / "kb-api@.service"
    assert unit_values(api, "Requires") == ["kb-upgrade.service"]
    assert "--bind 127.0.0.1:%i" in unit_values(api, "ExecStart")[0]
    webhooks = DEPLOY / "systemd" / "kb-webhooks.service"
    assert "kb webhooks deliver --loop" in unit_values(webhooks, "ExecStart")[0]
    purge = DEPLOY / "systemd" / "kb-purge.service"
    assert "kb feedback purge --older-than" in unit_values(purge, "ExecStart")[0]


@pytest.fixture
def installed_units(tmp_path):
    """The units with only their paths pointed at this machine (an instance of the API
    template as systemd would start it)."""
    env = tmp_path / "api.env"
    env.write_text(ENV_EXAMPLE.read_text())
    bin_dir = str(shutil.which("kb", path=str(ROOT / ".venv" / "bin")) or sys.executable)
    bin_dir = bin_dir.rsplit("/", 1)[0] + "/"
    paths = []
    for unit in UNITS:
        text = unit.read_text()
        replacements = {"/etc/kb/api.env": str(env)} if unit.suffix == ".service" else {}
        if "ExecStart=" in text:
            replacements.update({VENV_BIN: bin_dir, PROJECT: str(tmp_path)})
        name = unit.name.replace("@.", "@8001.")
        (tmp_path / name).write_text(substitute(text, replacements))
        paths.append(str(tmp_path / name))
    return paths


def test_systemd_accepts_the_units(installed_units):
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is not installed (apt-get install systemd)")
    result = subprocess.run(
        [analyze, "verify", "--man=no", *installed_units], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kb-" not in result.stderr, result.stderr  # no warning about one of them


def test_the_backup_cron_file_runs_under_cron_as_written():
    """cron's own rules: a file name without a dot once installed, a PATH that finds
    runuser, every % escaped, five time fields and a user."""
    cron = DEPLOY / "kb-backup.cron"
    guide = (ROOT / "docs" / "deployment.md").read_text()
    assert f"install -m 644 /srv/kb/src/deploy/{cron.name} /etc/cron.d/kb-backup" in guide
    lines = [ln for ln in cron.read_text().splitlines() if ln and not ln.startswith("#")]
    path = next(ln for ln in lines if ln.startswith("PATH="))
    assert "/usr/sbin" in path.split("=", 1)[1].split(":")
    (job,) = [ln for ln in lines if not ln.startswith("PATH=")]
    fields = job.split(None, 6)
    assert len(fields) == 7 and fields[5] == "root", job
    assert re.search(r"(?<!\\)%", job) is None, "a bare % ends cron's command"
    assert "runuser -u postgres -- pg_dump --format=custom kb > /var/backups/kb/" in job
