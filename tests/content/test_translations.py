"""Several languages in one help center: linked translations and whether they are up to date."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from kb.cli import main
from kb.core import checks, revisions
from kb.core.content import revision_of
from kb.core.helpcenter import load_help_center
from kb.core.translation_status import CURRENT, MISSING, OUTDATED, check_translations, statuses
from kb.core.translations import group, history_key
from tests.content.test_git_history import commit, git
from tests.helpers import SITE_URL

LANGS = ("it", "en")
KEY = history_key("refund-1", "it", "it")
SOURCE_BODY = " ".join(f"parola{i}" for i in range(60))
SMALL_EDIT = SOURCE_BODY.replace("parola7", "parola7bis")
REWRITE = " ".join(f"nuova{i}" for i in range(60))


def md(front: str, body: str) -> str:
    return f"---\n{textwrap.dedent(front).strip()}\n---\n{body}\n"


def load(texts: dict[str, str], docs: Path = Path("articles")):
    return load_help_center(docs, list(texts), texts=texts, with_git=False, languages=LANGS)


def status_row(hc, history=None, **kw):
    rows = statuses(group(hc.articles, LANGS), LANGS, history or {}, **kw)
    return {g.id: row for g, row in rows}


def test_same_path_is_a_translation_sharing_the_id():
    hc = load(
        {
            "it/billing/rimborso.md": md("id: refund-1\ntitle: Rimborso", SOURCE_BODY),
            "en/billing/rimborso.md": md("title: Refund", "text"),
            "it/billing/fatture.md": md("title: Fatture", "testo"),  # ids from the path
            "en/billing/fatture.md": md("title: Invoices", "text"),
        }
    )
    by_path = hc.by_path()
    assert by_path["en/billing/rimborso.md"].id == "refund-1"
    assert by_path["en/billing/rimborso.md"].lang == "en"
    assert by_path["it/billing/fatture.md"].id == by_path["en/billing/fatture.md"].id
    assert by_path["en/billing/fatture.md"].id == "billing/fatture"
    assert [f for f in checks.check_ids(hc) if f.level == "error"] == []


def test_translation_of_links_differing_paths():
    hc = load(
        {
            "it/billing/rimborso.md": md("id: refund-1\ntitle: Rimborso", SOURCE_BODY),
            "en/billing/refund.md": md("translation_of: refund-1\ntitle: Refund", "text"),
            "en/billing/other.md": md("translation_of: nothing-9\ntitle: Other", "text"),
        }
    )
    assert hc.by_path()["en/billing/refund.md"].id == "refund-1"
    assert [str(f) for f in hc.findings] == [
        "en/billing/other.md:2: error: translation_of 'nothing-9': no article has that id"
    ]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (  # a translation with its own different id
            {
                "it/a.md": md("id: a-1\ntitle: A", "x"),
                "en/a.md": md("id: b-2\ntitle: A", "x"),
            },
            "en/a.md:2: error: id 'b-2' differs from its source's 'a-1' (it/a.md): "
            "translations share the article's id (write 'id: a-1' or remove 'id:')",
        ),
        (  # the folder gives the language
            {"it/a.md": md("id: a-1\ntitle: A\nlang: en", "x")},
            "it/a.md:4: error: 'lang: en' but the file is in the 'it/' folder: "
            "the folder gives the language (remove 'lang:')",
        ),
        (
            {"a.md": md("id: a-1\ntitle: A", "x")},
            "a.md:1: warning: not in a language folder (it/, en/): kb treats it as 'it'",
        ),
    ],
)
def test_links_that_do_not_hold(texts, expected):
    assert [str(f) for f in load(texts).findings] == [expected]


def test_two_files_claiming_one_translation_are_an_error():
    hc = load(
        {
            "it/a.md": md("id: a-1\ntitle: A", "x"),
            "en/a.md": md("title: A", "x"),
            "en/b.md": md("translation_of: a-1\ntitle: B", "x"),
        }
    )
    errors = sorted(str(f) for f in checks.check_ids(hc) if f.level == "error")
    assert errors == [
        "en/a.md:1: error: two files claim to be the 'en' text of article 'a-1' "
        "(also en/b.md): keep one, or give the other its own id",
        "en/b.md:1: error: two files claim to be the 'en' text of article 'a-1' "
        "(also en/a.md): keep one, or give the other its own id",
    ]


def test_one_language_help_center_is_unchanged():
    texts = {"billing/a.md": md("title: A", "x"), "it/b.md": md("title: B", "x")}
    hc = load_help_center(Path("articles"), list(texts), texts=texts, with_git=False)
    assert hc.languages == ()
    assert {a.id for a in hc.articles} == {"billing/a", "it/b"}
    assert {a.lang for a in hc.articles} == {"en"}


def _history(*texts: tuple[str, str], when: str = "2026-05-01T10:00:00+00:00") -> dict:
    history: dict = {"articles": {}}
    for body, stamp in texts:
        revisions.record(
            history,
            [(KEY, revision_of("Rimborso", body), "Rimborso", body)],
            now=dt.datetime.fromisoformat(stamp or when),
        )
    return history


def _pair(source_body: str, made_from: str | None) -> dict[str, str]:
    front = "title: Refund" + (f"\nsource_revision: {made_from}" if made_from else "")
    return {
        "it/billing/rimborso.md": md("id: refund-1\ntitle: Rimborso", source_body),
        "en/billing/rimborso.md": md(front, "text"),
        "it/billing/solo.md": md("id: only-it\ntitle: Solo", "testo"),
    }


def test_status_follows_the_rewrite_rule():
    original = revision_of("Rimborso", SOURCE_BODY)
    # made from today's text: current; a missing language: missing
    row = status_row(load(_pair(SOURCE_BODY, original)))
    assert row["refund-1"]["en"].status == CURRENT
    assert row["only-it"]["en"].status == MISSING
    # the source had a small edit since: still current
    history = _history((SOURCE_BODY, "2026-05-01T10:00:00+00:00"))
    row = status_row(load(_pair(SMALL_EDIT, original)), history)
    assert row["refund-1"]["en"].status == CURRENT
    # the source was rewritten (seen by a build on June 2): outdated since then
    history = _history(
        (SOURCE_BODY, "2026-05-01T10:00:00+00:00"), (REWRITE, "2026-06-02T09:00:00+00:00")
    )
    st = status_row(load(_pair(REWRITE, original)), history)["refund-1"]["en"]
    assert st.status == OUTDATED and st.source_changed.date() == dt.date(2026, 6, 2)
    assert st.source_path == "it/billing/rimborso.md" and st.source_revision == original
    # rewritten after the last build: outdated too
    history = _history((SOURCE_BODY, "2026-05-01T10:00:00+00:00"))
    row = status_row(load(_pair(REWRITE, original)), history)
    assert row["refund-1"]["en"].status == OUTDATED


def test_check_reports_outdated_and_missing_at_the_chosen_level():
    original = revision_of("Rimborso", SOURCE_BODY)
    history = _history(
        (SOURCE_BODY, "2026-05-01T10:00:00+00:00"), (REWRITE, "2026-06-02T09:00:00+00:00")
    )
    hc = load(_pair(REWRITE, original))
    found = [str(f) for f in check_translations(hc.articles, LANGS, history, missing="error")]
    current = revision_of("Rimborso", REWRITE)
    assert found == [
        "it/billing/solo.md:1: error: no translation in en (article 'only-it')",
        "en/billing/rimborso.md:3: warning: translation of it/billing/rimborso.md is out of "
        "date: the source changed on 2026-06-02; bring it up to date and set "
        f"'source_revision: {current}'",
    ]
    assert check_translations(hc.articles, LANGS, history, missing="ignore")[0].level == "warning"


def test_git_history_decides_without_a_project_history(tmp_path):
    """A fresh clone: no .kb/revisions.json; git has the source's texts."""
    docs = tmp_path / "articles"
    git(tmp_path, "init", "-q")
    original = revision_of("Rimborso", SOURCE_BODY)
    for rel, text in _pair(SOURCE_BODY, original).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    # and one translation without source_revision, committed with the first text
    (docs / "en/billing/solo.md").write_text(md("title: Only", "text"), encoding="utf-8")
    commit(docs, "first texts", "2026-05-01T10:00:00+00:00")
    (docs / "it/billing/rimborso.md").write_text(
        md("id: refund-1\ntitle: Rimborso", REWRITE), encoding="utf-8"
    )
    (docs / "it/billing/solo.md").write_text(
        md("id: only-it\ntitle: Solo", "testo, con una virgola"), encoding="utf-8"
    )
    commit(docs, "rewrite", "2026-06-03T08:00:00+00:00")
    hc = load_help_center(docs, languages=LANGS)
    row = status_row(hc, docs_dir=docs)
    st = row["refund-1"]["en"]
    assert st.status == OUTDATED and st.source_changed.date() == dt.date(2026, 6, 3)
    # solo.md: the source changed after the translation, but only a little ("testo" ->
    # "testo, con una virgola" is a rewrite of a two-word text, so make the case clear)
    assert row["only-it"]["en"].status == OUTDATED


def test_kb_check_on_a_bilingual_project(tmp_path, runner, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\ndocs_dir: articles\ntheme:\n  name: material\n  language: it\n"
        "plugins:\n  - kb:\n      languages: [it, en]\n      missing_translations: error\n",
        encoding="utf-8",
    )
    for rel, text in _pair(SOURCE_BODY, "0123456789ab").items():
        (tmp_path / "articles" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "articles" / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("articles/")]
    now = revision_of("Rimborso", SOURCE_BODY)
    assert lines == [
        "articles/en/billing/rimborso.md:3: warning: translation of it/billing/rimborso.md is "
        "out of date: the source changed (source_revision '0123456789ab' is not a text it has "
        f"had); bring it up to date and set 'source_revision: {now}'",
        "articles/it/billing/solo.md:1: error: no translation in en (article 'only-it')",
    ]


def test_kb_translations_json_and_ci_gate(tmp_path, runner, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\ndocs_dir: articles\ntheme:\n  name: material\n  language: it\n"
        "plugins:\n  - kb:\n      languages: [it, en]\n",
        encoding="utf-8",
    )
    original = revision_of("Rimborso", SOURCE_BODY)
    for rel, text in _pair(SOURCE_BODY, original).items():
        (tmp_path / "articles" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "articles" / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["translations", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["languages"] == ["it", "en"]
    by_id = {a["id"]: a for a in doc["articles"]}
    refund = by_id["refund-1"]
    assert refund["source"] == "it"
    assert refund["translations"]["en"] == {
        "status": "current",
        "path": "en/billing/rimborso.md",
        "revision": revision_of("Refund", "text"),
        "source_revision": original,
        "source_changed": None,
        "source": "it/billing/rimborso.md",
    }
    assert by_id["only-it"]["translations"]["en"]["status"] == "missing"
    assert runner.invoke(main, ["translations", "--fail-on", "outdated"]).exit_code == 0
    gate = runner.invoke(main, ["translations", "--fail-on", "missing"])
    assert gate.exit_code == 1
    assert "only-it" in gate.stdout.splitlines()[1]  # the backlog first
    assert "en: 1 current, 0 outdated, 1 missing" in gate.stderr


def test_init_bilingual_shows_a_missing_and_an_outdated_translation(tmp_path, runner, monkeypatch):
    result = runner.invoke(
        main, ["init", str(tmp_path / "hc"), "--lang", "it", "--lang", "en", "--site-url", SITE_URL]
    )
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "hc")
    check = runner.invoke(main, ["check"])
    assert check.exit_code == 0, check.output  # warnings only
    assert "0 errors, 2 warnings" in check.stderr
    doc = json.loads(runner.invoke(main, ["translations", "--format", "json"]).stdout)
    assert doc["languages"] == ["it", "en"] and len(doc["articles"]) == 11
    en = {a["id"]: a["translations"]["en"] for a in doc["articles"]}
    assert [i for i, st in en.items() if st["status"] == "outdated"] == [
        "richiedere-un-rimborso-3d6e58"
    ]
    assert [i for i, st in en.items() if st["status"] == "missing"] == [
        "fatture-non-recapitate-d95b20"
    ]
    # a translation started from its source: linked, current, its front matter copied
    new = runner.invoke(
        main,
        ["new", "Invoices not sent", "--translation-of", "fatture-non-recapitate-d95b20"]
        + ["--lang", "en"],
    )
    assert new.exit_code == 0, new.output
    started = Path("articles/en/troubleshooting/fatture-non-recapitate.md")
    text = started.read_text(encoding="utf-8")
    assert "title: Invoices not sent" in text and "type: troubleshooting" in text
    doc = json.loads(runner.invoke(main, ["translations", "--format", "json"]).stdout)
    en = {a["id"]: a["translations"]["en"] for a in doc["articles"]}
    assert en["fatture-non-recapitate-d95b20"]["status"] == "current"
    assert en["fatture-non-recapitate-d95b20"]["path"] == started.relative_to("articles").as_posix()
    again = runner.invoke(
        main, ["new", "x", "--translation-of", "fatture-non-recapitate-d95b20", "--lang", "en"]
    )
    assert again.exit_code == 1 and "already exists" in again.output
