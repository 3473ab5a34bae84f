"""Which built site the CLI reads: after `make serve` alone, the preview kb serve keeps."""

import json
import os
import time

from kb.cli import main
from kb.cli.options import site_dir_for
from kb.core.manifest import manifest_path
from kb.plugin.builder import build_site
from kb.serve import default_site_dir


def test_preview_of_kb_serve_is_used_when_the_site_was_never_built(project, runner):
    preview = default_site_dir("mkdocs.yml")
    build_site(project / "mkdocs.yml", site_dir=preview)
    assert site_dir_for("mkdocs.yml") == preview
    result = runner.invoke(main, ["dev", "fake-votes", "--votes", "5"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    votes = [row for row in rows if row.get("kind", "vote") == "vote"]
    assert len(votes) == 5
    assert len(rows) > len(votes)  # the readers' journey around them


def test_the_newer_of_built_site_and_preview_wins(project):
    preview = default_site_dir("mkdocs.yml")
    build_site(project / "mkdocs.yml", site_dir=preview)
    build_site(project / "mkdocs.yml")
    later = time.time() + 5
    os.utime(manifest_path(project / "site"), (later, later))
    assert site_dir_for("mkdocs.yml").resolve() == (project / "site").resolve()


def test_explicit_choices_win(project, monkeypatch, tmp_path):
    assert site_dir_for("mkdocs.yml", "elsewhere") == type(tmp_path)("elsewhere")
    monkeypatch.setenv("KB_SITE_DIR", str(tmp_path))
    assert site_dir_for("mkdocs.yml") == tmp_path
