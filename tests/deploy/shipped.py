"""The files of deploy/ as shipped, and the few substitutions a test (or a sysadmin) makes:
paths, ports and certificates, nothing else."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "kb-site.conf"
NGINX_PROXY = DEPLOY / "nginx" / "kb-proxy.conf"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
ENV_EXAMPLE = DEPLOY / "api.env.example"
UNITS = sorted((DEPLOY / "systemd").glob("kb-*"))
VENV_BIN = "/srv/kb/venv/bin/"
PROJECT = "/srv/kb/help"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).is_file()), None
)


def substitute(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key replaced; a key the shipped file no longer has is an error, so
    the test always runs the file as shipped."""
    for old, new in replacements.items():
        assert old in text, f"the shipped file no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines the way systemd's EnvironmentFile= reads them (no shell)."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        env[name.strip()] = value.strip()
    return env


def unit_values(unit: Path, key: str) -> list[str]:
    """Every ``key=`` value of a unit file."""
    return re.findall(rf"(?m)^{re.escape(key)}=(.*)$", unit.read_text(encoding="utf-8"))


def exec_start(unit_name: str, instance: str = "") -> list[str]:
    """A unit's ExecStart as an argument list, run from this environment's Python."""
    (line,) = unit_values(DEPLOY / "systemd" / unit_name, "ExecStart")
    line = line.replace("%i", instance)
    bin_dir = str(Path(sys.executable).parent) + "/"
    return [part.replace(VENV_BIN, bin_dir) for part in shlex.split(line)]


def unit_environment(unit_name: str, instance: str, runtime: Path) -> dict[str, str]:
    """A unit's own ``Environment=`` lines, with the ``RuntimeDirectory=`` systemd would make
    for them created under ``runtime`` (``%t``, /run for a system unit)."""
    unit = DEPLOY / "systemd" / unit_name

    def expand(value: str) -> str:
        return value.replace("%i", instance).replace("%t", str(runtime))

    for folder in unit_values(unit, "RuntimeDirectory"):
        (runtime / expand(folder)).mkdir(parents=True, exist_ok=True)
    env = {}
    for line in unit_values(unit, "Environment"):
        name, _, value = expand(line).partition("=")
        env[name] = value
    return env
