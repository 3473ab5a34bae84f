"""Static security checks in the normal test run: bandit on kb's code, pip-audit on its
dependencies. Every accepted bandit finding is listed, with a reason, in
``tests/project/bandit_allowlist.toml``; pip-audit must reach the vulnerability data (PyPI) in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (the test extra installs tomli there)
    import tomli as tomllib

from tests.helpers import ROOT, require

PACKAGES = ("kb", "feedback_api", "search")
ALLOWLIST = Path(__file__).with_name("bandit_allowlist.toml")


def _bandit_findings() -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", *PACKAGES, "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.stdout.strip(), f"bandit produced no report: {proc.stderr}"
    report = json.loads(proc.stdout)
    assert report["errors"] == [], f"bandit could not read some files: {report['errors']}"
    return report["results"]


def test_allowlist_entries_each_give_a_reason():
    entries = tomllib.loads(ALLOWLIST.read_text())["allow"]
    for entry in entries:
        assert set(entry) == {"test", "file", "why"}, entry
        assert entry["test"].startswith("B") and (ROOT / entry["file"]).is_file(), entry
        assert len(entry["why"].split()) >= 5, f"explain why {entry} is safe"


def test_bandit_finds_nothing_outside_the_allowlist():
    allowed = {(e["test"], e["file"]) for e in tomllib.loads(ALLOWLIST.read_text())["allow"]}
    findings = _bandit_findings()
    new = [
        f"{f['filename']}:{f['line_number']}: {f['test_id']} ({f['issue_severity']}) "
        f"{f['issue_text']}"
        for f in findings
        if (f["test_id"], Path(f["filename"]).as_posix()) not in allowed
    ]
    assert new == [], (
        "bandit findings: fix them, or explain each in "
        "tests/project/bandit_allowlist.toml\n" + "\n".join(new)
    )


@pytest.mark.network
def test_pip_audit_reports_no_known_vulnerability(tmp_path):
    """Audits the installed dependencies against PyPI's advisory data (needs the network)."""
    out = tmp_path / "audit.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--local",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--timeout",
            "20",
            "-f",
            "json",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(out.read_text()) if out.exists() else {"dependencies": []}
    deps = report.get("dependencies", [])
    by_name = {d["name"].lower(): d for d in deps}
    # pip-audit says "No known vulnerabilities" even when it could not ask PyPI about anything:
    # a package that is certainly on PyPI being "not found" means the advisory data is out of
    # reach, and then nothing was audited.
    probe = by_name.get("flask", {})
    reachable = bool(deps) and "skip_reason" not in probe and proc.returncode in (0, 1)
    require(
        reachable,
        "pip-audit cannot reach PyPI's vulnerability data (pypi.org JSON API): "
        f"{probe.get('skip_reason') or proc.stderr.strip()[-300:]}",
    )
    vulnerable = [
        f"{d['name']} {d['version']}: " + ", ".join(v["id"] for v in d["vulns"])
        for d in deps
        if d.get("vulns")
    ]
    assert vulnerable == [], "dependencies with known vulnerabilities:\n" + "\n".join(vulnerable)
