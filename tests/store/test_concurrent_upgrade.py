"""Any number of ``kb db upgrade`` at once on a fresh database all succeed (a systemd unit runs
one before every API instance starts): the first migrates, the others wait and find it done."""

from __future__ import annotations

import subprocess

from kb.store.engine import current_revisions, head_revisions, make_engine
from tests.helpers import KB, kb_env

PROCESSES = 3


def upgrade_at_once(url: str, cwd) -> list[subprocess.CompletedProcess]:
    procs = [
        subprocess.Popen(
            [*KB, "db", "upgrade", "--db", url],
            cwd=cwd,
            env=kb_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_concurrent_upgrades_of_a_fresh_database_all_succeed(db_url, tmp_path):
    results = upgrade_at_once(db_url, tmp_path)
    assert [r.returncode for r in results] == [0] * PROCESSES, [r.stderr for r in results]
    upgraded = [r for r in results if "upgraded from empty" in r.stdout]
    waited = [r for r in results if "already at" in r.stdout]
    assert len(upgraded) == 1 and len(waited) == PROCESSES - 1, [r.stdout for r in results]
    engine = make_engine(db_url)
    try:
        assert current_revisions(engine) == head_revisions()
    finally:
        engine.dispose()
