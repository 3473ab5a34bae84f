"""Attacks on ``kb build`` and ``kb check`` with malformed or hostile articles.

Every attack must stop the build with ``path:line: message``, leave the previously built site
byte for byte as it was, copy nothing from outside the articles folder, and never print a
traceback (from ``kb build`` or ``kb check``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kb.cli import main
from tests.helpers import write_article

ARTICLE = "---\ntitle: {title}\nid: {id}\ntype: faq\n---\n{body}\n"


def snapshot(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder next to the project with things that must never reach the site."""
    out = tmp_path_factory.mktemp("outside")
    (out / "secret.txt").write_text("OUTSIDE-SECRET\n")
    (out / "leak.md").write_text("---\ntitle: Leak\nid: leak-1\n---\nOUTSIDE-SECRET\n")
    return out


def _attack_bad_yaml(project, outside):
    write_article(project, "billing/bad.md", "---\ntitle: ok\ntags: [unclosed\n---\nBody\n")
    return "articles/billing/bad.md:3: error: malformed YAML front matter"


def _attack_invalid_utf8(project, outside):
    path = project / "articles" / "billing" / "latin1.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\n---\nBody\n")
    return "articles/billing/latin1.md:2: error: file is not valid UTF-8 text"


def _attack_huge_file(project, outside):
    path = project / "articles" / "billing" / "huge.md"
    with open(path, "wb") as fh:  # 50 MB, sparse: the size check must not read it
        fh.write(b"---\ntitle: Huge\n---\n")
        fh.truncate(50 * 1024 * 1024)
    return "articles/billing/huge.md:1: error: file is 51200 KiB; the limit is"


def _attack_symlinked_file(project, outside):
    os.symlink(outside / "leak.md", project / "articles" / "billing" / "leak.md")
    return "articles/billing/leak.md:1: error: symlink points outside the articles folder"


def _attack_symlinked_folder(project, outside):
    os.symlink(outside, project / "articles" / "evil")
    return "articles/evil/secret.txt:1: error: symlink points outside the articles folder"


def _attack_dotdot_link(project, outside):
    write_article(
        project,
        "billing/dots.md",
        ARTICLE.format(title="Dots", id="dots-1", body="Read [this](../../../../etc/passwd)."),
    )
    return "articles/billing/dots.md:6: error: link '../../../../etc/passwd' points outside"


def _attack_dotdot_image(project, outside):
    write_article(
        project,
        "billing/img.md",
        ARTICLE.format(title="Img", id="img-1", body="Text\n\n![x](/../../outside/secret.txt)"),
    )
    return "articles/billing/img.md:8: error: image '/../../outside/secret.txt' points outside"


def _attack_dotdot_nav(project, outside):
    with open(project / "mkdocs.yml", "a", encoding="utf-8") as fh:
        fh.write("nav:\n  - Home: index.md\n  - Leak: ../../outside/leak.md\n")
    n = (project / "mkdocs.yml").read_text().count("\n")
    return f"mkdocs.yml:{n}: error: nav entry '../../outside/leak.md' points outside"


def _attack_deep_yaml(project, outside):
    write_article(
        project,
        "billing/deep.md",
        "---\ntitle: Deep\ntags: " + "[" * 50000 + "]" * 50000 + "\n---\nBody\n",
    )
    return "articles/billing/deep.md:3: error: front matter nests lists or mappings"


def _attack_bad_date(project, outside):
    write_article(project, "billing/date.md", "---\ntitle: D\nreview_by: 2030-02-30\n---\nB\n")
    return "articles/billing/date.md:3: error: malformed YAML front matter: '2030-02-30' is not"


def _attack_path_id(project, outside):
    write_article(project, "billing/id.md", ARTICLE.format(title="Id", id="a/../../x", body="B"))
    return "articles/billing/id.md:3: error: id 'a/../../x' has an empty, '.' or '..' part"


def _attack_fifo(project, outside):
    os.mkfifo(project / "articles" / "billing" / "pipe.md")
    return "articles/billing/pipe.md:1: error: not a regular file"


ATTACKS = [
    _attack_bad_yaml,
    _attack_invalid_utf8,
    _attack_huge_file,
    _attack_symlinked_file,
    _attack_symlinked_folder,
    _attack_dotdot_link,
    _attack_dotdot_image,
    _attack_dotdot_nav,
    _attack_deep_yaml,
    _attack_bad_date,
    _attack_path_id,
    _attack_fifo,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda f: f.__name__.removeprefix("_attack_"))
def test_hostile_article_stops_build_and_keeps_previous_site(project, outside, runner, attack):
    first = runner.invoke(main, ["build"])
    assert first.exit_code == 0, first.output
    before = snapshot(project / "site")

    expected = attack(project, outside)

    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert snapshot(project / "site") == before, "a failed build changed the previous site"
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".site.")]
    assert leftovers == [], "the temporary build folder was left behind"

    check = runner.invoke(main, ["check"])
    assert check.exit_code == 1 and "Traceback" not in check.output
    assert isinstance(check.exception, SystemExit)
    assert expected.split(": error: ")[0] in check.output, check.output


def test_nothing_from_outside_reaches_any_site(project, outside, runner):
    """Whatever the attack, no file of the built site contains the outside secret."""
    for attack in (_attack_symlinked_file, _attack_symlinked_folder, _attack_dotdot_image):
        attack(project, outside)
    runner.invoke(main, ["build"])
    site = project / "site"
    assert not site.exists() or not any(
        b"OUTSIDE-SECRET" in p.read_bytes() for p in site.rglob("*") if p.is_file()
    )


@pytest.mark.parametrize(
    "config",
    [
        "site_name: [unclosed\n",
        "site_name: x\ndocs_dir: articles\nplugins:\n  - kb:\n      sidebar_limit: lots\n",
        "\xff\xfe not yaml",
        "site_name: x\ndocs_dir: /nonexistent/folder\n",
        "site_name: x\ntheme: {name: nosuchtheme}\n",
    ],
)
def test_broken_mkdocs_yml_never_shows_a_traceback(project, runner, config):
    (project / "mkdocs.yml").write_text(config, encoding="utf-8", errors="surrogateescape")
    for command in (["check"], ["build"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output and "mkdocs.yml" in result.output
        assert isinstance(result.exception, SystemExit), result.exception
