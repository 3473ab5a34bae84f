"""Privacy: what a reader's vote leaves behind, and how long.

No cookie is set for readers, no raw IP address is stored anywhere in the database, the
visitor salt is replaced every UTC day and old salts are deleted, ``kb feedback purge``
deletes old votes, and ``kb db backup``/``restore`` round-trip the SQLite database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3

import pytest
from kb.feedback_api.db import get_engine
from kb.feedback_api.visitor import VisitorHasher, daily_salt
from sqlalchemy import select, text

from kb.cli import main
from kb.core.votes import Vote
from kb.store.retention import purge
from kb.store.tables import feedback, visitor_salts
from kb.store.votes import iter_votes, upsert_vote
from tests.helpers import vote_body

URL = "/api/v1/feedback"
IP = "203.0.113.77"
UA = "Mozilla/5.0 (X11; Linux x86_64) KbPrivacyProbe/1.0"


def all_text(engine) -> str:
    """Every value of every table, as text: what someone with the database would see."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(engine)
    out = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


@pytest.fixture
def hc(tmp_path, feedback_site, monkeypatch):
    """A help center with its built site as the cwd; its database is the default SQLite."""
    import shutil

    from kb.core.scaffold import init_project

    project = tmp_path / "hc"
    init_project(project, "en")
    shutil.copytree(feedback_site, project / "site", dirs_exist_ok=True)
    monkeypatch.chdir(project)
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SITE_DIR", raising=False)
    return project


def manifest_of(project) -> list[dict]:
    return json.loads((project / "site" / "_kb" / "manifest.json").read_text("utf-8"))["articles"]


@pytest.fixture
def sqlite_app(hc):
    from kb.feedback_api import create_app

    app = create_app(
        {"TESTING": True, "PROJECT_DIR": hc, "AUTO_UPGRADE": True, "RATE_LIMIT": "off"}
    )
    yield app
    get_engine(app).dispose()


def test_votes_store_no_raw_address_and_set_no_cookie(app, client, articles):
    env = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA}
    responses = [
        client.post(URL, json=vote_body(a, comment="fine"), environ_base=env) for a in articles[:3]
    ]
    responses.append(
        client.post(URL, data={"article": articles[0]["id"], "csat": "2"}, environ_base=env)
    )
    responses.append(client.get("/api/v1/health", environ_base=env))
    assert [r.status_code for r in responses] == [201, 201, 201, 303, 200]
    for r in responses:
        assert "Set-Cookie" not in r.headers, r.headers
    dump = all_text(get_engine(app))
    assert IP not in dump and "203.0.113" not in dump and "KbPrivacyProbe" not in dump
    with get_engine(app).connect() as conn:
        visitors = {v for (v,) in conn.execute(select(feedback.c.visitor))}
    assert len(visitors) == 1 and len(next(iter(visitors))) == 32  # one reader, one hash


def test_the_sqlite_file_itself_holds_no_address(sqlite_app, hc):
    client = sqlite_app.test_client()
    for a in manifest_of(hc)[:5]:
        client.post(URL, json=vote_body(a), environ_base={"REMOTE_ADDR": IP, "HTTP_USER_AGENT": UA})
    get_engine(sqlite_app).dispose()
    path = hc / ".kb" / "feedback.db"
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    assert len(raw) > 4096 and IP.encode() not in raw and b"KbPrivacyProbe" not in raw


def test_visitor_salt_rotates_daily_and_old_salts_are_deleted(engine):
    day1, day2 = dt.date(2030, 1, 1), dt.date(2030, 1, 2)
    hasher = VisitorHasher()
    first = hasher(engine, IP, UA, today=day1)
    again = hasher(engine, IP, UA, today=day1)
    other_reader = hasher(engine, "198.51.100.1", UA, today=day1)
    next_day = hasher(engine, IP, UA, today=day2)
    assert first == again and first != other_reader
    assert next_day != first, "the same reader must not be linkable across days"
    with engine.connect() as conn:
        days = [d for (d,) in conn.execute(select(visitor_salts.c.day))]
    assert days == ["2030-01-02"], "yesterday's salt must be gone"
    # and it cannot come back: a new salt for day 1 is a different one
    assert daily_salt(engine, day1) != daily_salt(engine, day2)


def _vote(article: str, created: dt.datetime, n: int) -> Vote:
    return Vote(
        article=article,
        csat=3,
        submission=f"purge-test-{n:04d}",
        comment=f"c{n}",
        visitor="f" * 32,
        created_at=created,
        source="import",
    )


def test_purge_deletes_only_votes_older_than_the_cutoff(engine):
    now = dt.datetime(2030, 6, 1, 12, tzinfo=dt.timezone.utc)
    ages = [400, 200, 91, 89, 10, 0]
    with engine.begin() as conn:
        for n, days in enumerate(ages):
            upsert_vote(conn, _vote("a", now - dt.timedelta(days=days), n), now=now)
        conn.execute(visitor_salts.insert().values(day="2030-05-31", salt="0" * 64))
        conn.execute(visitor_salts.insert().values(day="2030-06-01", salt="1" * 64))
    dry = purge(engine, 90, now=now, dry_run=True)
    assert (dry.votes, len(list(iter_votes(engine)))) == (3, 6)
    done = purge(engine, 90, now=now)
    assert (done.votes, done.salts) == (3, 1)
    with engine.connect() as conn:
        left = sorted(c for (c,) in conn.execute(select(feedback.c.comment)))
        salts = [d for (d,) in conn.execute(select(visitor_salts.c.day))]
    assert left == ["c3", "c4", "c5"] and salts == ["2030-06-01"]
    assert purge(engine, 90, now=now).votes == 0  # idempotent


def test_kb_feedback_purge_command(runner, hc, db_url):
    assert runner.invoke(main, ["db", "upgrade", "--db", db_url]).exit_code == 0
    from kb.store.engine import make_engine

    eng = make_engine(db_url)
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40)
    with eng.begin() as conn:
        upsert_vote(conn, _vote("a", old, 1))
        upsert_vote(conn, _vote("a", dt.datetime.now(dt.timezone.utc), 2))
    eng.dispose()
    dry = runner.invoke(
        main, ["feedback", "purge", "--older-than", "30", "--dry-run", "--db", db_url]
    )
    assert dry.exit_code == 0 and "would delete 1 votes" in dry.output, dry.output
    result = runner.invoke(main, ["feedback", "purge", "--older-than", "30", "--db", db_url])
    assert result.exit_code == 0 and "deleted 1 votes" in result.output, result.output
    eng = make_engine(db_url)
    assert len(list(iter_votes(eng))) == 1
    eng.dispose()
    bad = runner.invoke(main, ["feedback", "purge", "--older-than", "-1", "--db", db_url])
    assert bad.exit_code == 2 and "--older-than" in bad.output
    missing = runner.invoke(main, ["feedback", "purge", "--db", db_url])
    assert missing.exit_code == 2 and "--older-than" in missing.output


def test_backup_then_restore_brings_the_votes_back(runner, hc, sqlite_app, tmp_path):
    app, articles = sqlite_app, manifest_of(hc)
    client = app.test_client()
    sent = [vote_body(a, comment=f"vote {i}") for i, a in enumerate(articles[:4])]
    assert [client.post(URL, json=b).status_code for b in sent] == [201] * 4
    backup = tmp_path / "b.db"
    made = runner.invoke(main, ["db", "backup", "--output", str(backup)])
    assert made.exit_code == 0 and "Backed up" in made.output, made.output
    # a vote after the backup, then a disaster: every vote is deleted
    client.post(URL, json=vote_body(articles[5]))
    with get_engine(app).begin() as conn:
        conn.execute(text("DELETE FROM feedback"))
    assert len(list(iter_votes(get_engine(app)))) == 0
    restored = runner.invoke(main, ["db", "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    with get_engine(app).connect() as conn:
        comments = sorted(c for (c,) in conn.execute(select(feedback.c.comment)))
    assert comments == [f"vote {i}" for i in range(4)]
    # the API keeps working on the restored database
    assert client.post(URL, json=vote_body(articles[6])).status_code == 201
    again = runner.invoke(main, ["db", "backup", "--output", str(backup)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_restore_refuses_what_is_not_a_backup(runner, hc, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.close()
    for path in (junk, empty):
        result = runner.invoke(main, ["db", "restore", str(path), "--yes"])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output


def test_backup_of_postgresql_prints_pg_dump_guidance(runner, hc):
    url = "postgresql+psycopg://kb:s3cret@db.example:5432/kb"
    result = runner.invoke(main, ["db", "backup", "--db", url])
    assert result.exit_code == 1 and "pg_dump --format=custom" in result.output
    assert "s3cret" not in result.output, "the password must not be printed"
    # a line that works when pasted: no '***' where the password was, and how to give it
    assert "'postgresql://kb@db.example:5432/kb'" in result.output and "***" not in result.output
    assert "PGPASSWORD" in result.output and "~/.pgpass" in result.output
    restore = runner.invoke(main, ["db", "restore", __file__, "--yes", "--db", url])
    assert "pg_restore --clean --if-exists --dbname 'postgresql://kb@db.example:5432/kb'" in (
        restore.output
    )


def test_widget_keeps_its_queue_in_local_storage_not_cookies(feedback_site):
    js = (feedback_site / "assets" / "kb" / "feedback.js").read_text("utf-8")
    assert "localStorage" in js and "document.cookie" not in js
    assert 'credentials:"omit"' in js.replace(" ", "") or 'credentials: "omit"' in js


def test_export_json_has_no_address_column(app, client, articles):
    client.post(URL, json=vote_body(articles[0]), environ_base={"REMOTE_ADDR": IP})
    from kb.store.transfer import export_votes

    out = io.StringIO()
    export_votes(get_engine(app), out, "jsonl")
    row = json.loads(out.getvalue().splitlines()[0])
    assert IP not in out.getvalue() and not any("ip" == k.lower() for k in row)
