"""kb.core.atomic: files replaced in one step, readable like any other file of the site."""

from __future__ import annotations

import stat

import pytest

from kb.core import atomic


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_new_file_replaces_the_old_one_with_open_s_permissions(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old")
    atomic.write_json(target, {"a": 1})
    assert target.read_text() == '{"a": 1}'
    assert mode(target) == 0o666 & ~atomic._UMASK  # not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "CURRENT"
    target.write_text("old")

    def broken(fh):
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.replace(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["CURRENT"]


def test_the_built_sites_rewritten_files_are_readable_like_the_others(built_site):
    """The manifest, the revisions and the search pointer are written atomically; a web
    server or an API running as another user reads them like the pages next to them."""
    page = mode(built_site / "index.html")
    for rel in ("_kb/manifest.json", "_kb/revisions.json", "_kb/search/CURRENT"):
        assert mode(built_site / rel) == page, rel
