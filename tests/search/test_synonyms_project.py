"""A help center's own search synonyms (``synonyms/<lang>.txt``): used by the API and
``kb search`` after ``kb build``, checked by ``kb check``, and a bad file stops the build."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request

import pytest
from kb.search import synonyms
from kb.search.index import current_dir
from kb.search.service import SearchService

from kb.cli import main
from kb.core.errors import KbError
from kb.plugin.builder import build_site
from tests.helpers import kb_serve_process, write_article

STARTER = """
    ---
    id: starter-kit-7f3a10
    title: Set up your starter kit
    type: howto
    ---
    Unpack the starter kit, plug it in and sign in with your account.
    """
# A product nickname only this help center's customers use: not in kb's built-in groups.
NICKNAME = "zorbix"


@pytest.fixture
def hc(project):
    write_article(project, "getting-started/starter-kit.md", STARTER)
    return project


def write_synonyms(project, text: str, name: str = "en.txt"):
    path = project / "synonyms" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli_paths(runner, query: str) -> list[str]:
    result = runner.invoke(main, ["search", query, "--lang", "en", "--json"])
    assert result.exit_code == 0, result.output
    return [r["path"] for r in json.loads(result.output)["results"]]


def api_client(project, tmp_path, monkeypatch):
    from kb.feedback_api import create_app

    monkeypatch.setenv("KB_PROJECT_DIR", str(project))
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("KB_RATE_LIMIT", "off")
    return create_app({"TESTING": True, "AUTO_UPGRADE": True}).test_client()


def api_paths(client, query: str) -> list[str]:
    res = client.get("/api/v1/search", query_string={"q": query, "lang": "en"})
    assert res.status_code == 200, res.get_data(as_text=True)
    return [r["path"] for r in res.get_json()["results"]]


def snapshot(site) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_the_nickname_is_not_a_builtin_synonym():
    assert synonyms.BUILTIN.find(NICKNAME, "en") == []


def test_a_project_group_finds_the_article_in_the_cli_and_the_api(
    hc, runner, tmp_path, monkeypatch
):
    build_site(hc / "mkdocs.yml")
    client = api_client(hc, tmp_path, monkeypatch)
    assert cli_paths(runner, NICKNAME) == []
    assert api_paths(client, NICKNAME) == []

    write_synonyms(hc, f"# our product's nicknames\n{NICKNAME}, starter kit\n")
    build_site(hc / "mkdocs.yml")
    want = "getting-started/starter-kit.md"
    assert cli_paths(runner, NICKNAME)[0] == want
    assert api_paths(client, NICKNAME)[0] == want  # the same app: it follows CURRENT
    assert api_paths(client, f"set up my {NICKNAME}")[0] == want
    # the generation carries the file; built-in groups still apply
    assert (
        (current_dir(hc / "site") / "synonyms" / "en.txt")
        .read_text()
        .endswith(f"{NICKNAME}, starter kit\n")
    )
    assert "account/reset-your-password.md" in cli_paths(runner, "passwd")


def test_a_synonyms_change_takes_effect_at_the_next_build_without_reindexing(hc, runner, caplog):
    path = write_synonyms(hc, f"{NICKNAME}, starter kit\n")
    build_site(hc / "mkdocs.yml")
    assert cli_paths(runner, NICKNAME)[0] == "getting-started/starter-kit.md"

    path.write_text(f"{NICKNAME}, refund\n", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.kb.search"):
        build_site(hc / "mkdocs.yml")
    assert "0 added, 0 updated, 0 removed, 12 unchanged" in caplog.text
    found = cli_paths(runner, NICKNAME)
    assert found[0] == "billing/request-a-refund.md"
    assert "getting-started/starter-kit.md" not in found

    path.unlink()
    build_site(hc / "mkdocs.yml")
    assert cli_paths(runner, NICKNAME) == []
    assert not (current_dir(hc / "site") / "synonyms").exists()


def test_an_italian_group_from_the_project(tmp_path):
    folder = tmp_path / "synonyms"
    folder.mkdir()
    (folder / "it.txt").write_text("codice articolo, sku\n", encoding="utf-8")
    th = synonyms.Thesaurus.load(folder)
    spans = th.find("dove trovo il codice articolo", "it")
    assert [(s.start, s.end, s.alternatives) for s in spans] == [(3, 5, [("sku",)])]
    # built-ins as well, and the English file is not read for Italian
    assert th.find("carrello vuoto", "it") == synonyms.BUILTIN.find("carrello vuoto", "it") != []
    assert synonyms.Thesaurus.load(folder).find("sku", "en") == []


def test_builtin_groups_can_be_switched_off(hc, runner):
    assert "account/reset-your-password.md" in cli_paths_after_build(hc, runner, "passwd")
    yml = hc / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace("  - kb:\n", "  - kb:\n      search_builtin_synonyms: false\n", 1)
    )
    write_synonyms(hc, f"{NICKNAME}, starter kit\n")
    found_nick = cli_paths_after_build(hc, runner, NICKNAME)
    assert found_nick[0] == "getting-started/starter-kit.md"
    engine = SearchService(hc / "site").engine()
    assert engine.thesaurus.builtin is False
    assert engine.thesaurus.find("passwd", "en") == []
    assert synonyms.BUILTIN.find("passwd", "en") != []  # the built-ins themselves are untouched


def cli_paths_after_build(hc, runner, query: str) -> list[str]:
    build_site(hc / "mkdocs.yml")
    return cli_paths(runner, query)


# (file, bytes, the line kb check prints)
BAD_FILES = [
    (
        "en.txt",
        b"# nicknames\nzorbix, starter kit\nlonely\n",
        "synonyms/en.txt:3: error: a synonym group needs at least two entries separated by "
        "commas; found 1",
    ),
    (
        "en.txt",
        b"zorbix, starter kit\n\nzorbix, the\n",
        "synonyms/en.txt:3: error: 'the' has no searchable word (only stop words or punctuation)",
    ),
    (
        "en.txt",
        b"zorbix, ?!\n",
        "synonyms/en.txt:1: error: '?!' has no searchable word (only stop words or punctuation)",
    ),
    (
        "it.txt",
        b"# italiano\ncodice articolo, il\n",
        "synonyms/it.txt:2: error: 'il' has no searchable word (only stop words or punctuation)",
    ),
    (
        "fr.txt",
        b"panier, chariot\n",
        "synonyms/fr.txt:1: error: unknown language 'fr': synonym files are named en.txt or it.txt",
    ),
    (
        "en.txt",
        b"zorbix, starter kit\ncaf\xe9, coffee\n",
        "synonyms/en.txt:2: error: not UTF-8 text: save the file as UTF-8",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "expected"), BAD_FILES, ids=[e.split(": ", 2)[2][:30] for *_x, e in BAD_FILES]
)
def test_kb_check_reports_each_bad_synonyms_file(hc, runner, name, data, expected):
    (hc / "synonyms").mkdir(exist_ok=True)  # kb init wrote a commented en.txt there
    (hc / "synonyms" / name).write_bytes(data)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("synonyms/")]
    assert lines == [expected]


def test_kb_check_reports_an_unreadable_file_and_a_setting_that_is_not_a_folder(hc, runner):
    (hc / "synonyms" / "en.txt").unlink()
    (hc / "synonyms" / "en.txt").mkdir()  # cannot be read as a file
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "synonyms/en.txt:1: error: cannot read: Is a directory" in result.output

    yml = hc / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace("  - kb:\n", "  - kb:\n      search_synonyms: words.txt\n", 1)
    )
    (hc / "words.txt").write_text("zorbix, starter kit\n", encoding="utf-8")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert (
        "words.txt:1: error: search_synonyms must name a folder of <lang>.txt files"
        in result.output
    )


def test_a_good_synonyms_file_passes_kb_check(hc, runner):
    write_synonyms(hc, "# ok\nzorbix, starter kit, the kit\n\n")
    write_synonyms(hc, "codice articolo, sku\n", "it.txt")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "synonyms/" not in result.output


@pytest.mark.parametrize("data", [b"zorbix\n", b"zorbix, caf\xe9\n"], ids=["group", "utf8"])
def test_a_bad_synonyms_file_stops_the_build_and_keeps_the_previous_site(hc, runner, data):
    write_synonyms(hc, f"{NICKNAME}, starter kit\n")
    build_site(hc / "mkdocs.yml")
    before = snapshot(hc / "site")
    (hc / "synonyms" / "en.txt").write_bytes(data)
    with pytest.raises(KbError, match=r"synonyms/en\.txt:1: error: "):
        build_site(hc / "mkdocs.yml")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1 and "synonyms/en.txt:1: error: " in result.output
    assert snapshot(hc / "site") == before
    assert cli_paths(runner, NICKNAME)[0] == "getting-started/starter-kit.md"
    # kb search reindex refuses too, and publishes nothing
    result = runner.invoke(main, ["search", "reindex"])
    assert result.exit_code == 1 and "synonyms/en.txt:1: error: " in result.output
    assert snapshot(hc / "site") == before


def test_reindex_keeps_the_project_synonyms(hc, runner):
    write_synonyms(hc, f"{NICKNAME}, starter kit\n")
    build_site(hc / "mkdocs.yml")
    result = runner.invoke(main, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert cli_paths(runner, NICKNAME)[0] == "getting-started/starter-kit.md"


def test_search_off_ignores_the_synonyms_folder(hc, runner):
    yml = hc / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - kb:\n", "  - kb:\n      search: false\n", 1))
    write_synonyms(hc, "lonely\n")
    build_site(yml)
    assert runner.invoke(main, ["check"]).exit_code == 0


def test_kb_init_writes_a_commented_sample(project):
    text = (project / "synonyms" / "en.txt").read_text(encoding="utf-8")
    assert all(ln.startswith("#") for ln in text.splitlines() if ln.strip())
    assert synonyms.parse(text) == [] and synonyms.problems(text, "en") == []


def test_kb_init_never_overwrites_a_teams_synonyms(tmp_path):
    from kb.core.scaffold import init_project

    ours = write_synonyms(tmp_path, "sku, product code\n")
    init_project(tmp_path, "en", force=True)
    assert ours.read_text(encoding="utf-8") == "sku, product code\n"
    init_project(tmp_path / "it", "it")
    assert (tmp_path / "it" / "synonyms" / "it.txt").read_text(encoding="utf-8").startswith("#")


def test_kb_serve_rebuilds_when_a_synonyms_file_changes(hc, tmp_path):
    path = write_synonyms(hc, "# nothing yet\n")

    def top(base: str) -> list[str]:
        url = base + "api/v1/search?" + urllib.parse.urlencode({"q": NICKNAME, "lang": "en"})
        with urllib.request.urlopen(url, timeout=10) as resp:
            return [r["path"] for r in json.loads(resp.read())["results"]]

    with kb_serve_process(hc, tmp_path / "serve.log") as base:
        assert top(base) == []
        path.write_text(f"{NICKNAME}, starter kit\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while top(base) == [] and time.monotonic() < deadline:
            time.sleep(0.3)
        assert top(base)[:1] == ["getting-started/starter-kit.md"], (
            tmp_path / "serve.log"
        ).read_text()
