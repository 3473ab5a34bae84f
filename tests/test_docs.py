"""The docs are part of the product: every CLI option and every plugin setting is documented.

Like Datasette's tests/test_docs.py. Each command needs a section in docs/*.md whose heading
names it (``### `kb check` ``); its options must appear in that section (or in a section that
names a parent group, such as ``## `kb db` ``). Plugin settings must appear in backticks.
"""

import re
from pathlib import Path

import click
import pytest
from mkdocs.config import base
from mkdocs.config import config_options as c

from kb.cli import main
from kb.plugin.config import KbConfig

DOCS = Path(__file__).resolve().parent.parent / "docs"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def doc_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def sections() -> list[tuple[str, str]]:
    """(heading, text under it up to the next heading of the same or a higher level)."""
    found = []
    for path in doc_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        heads = [(i, len(m.group(1)), m.group(2)) for i, ln in enumerate(lines)
                 if (m := HEADING.match(ln))]
        for n, (i, level, title) in enumerate(heads):
            end = next((j for j, lv, _ in heads[n + 1:] if lv <= level), len(lines))
            found.append((title, "\n".join(lines[i:end])))
    return found


def commands(group=main, path=("kb",)):
    yield " ".join(path), group
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            if not command.hidden:
                yield from commands(command, (*path, name))


def options(command) -> list[str]:
    names = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            longs = [o for o in param.opts + param.secondary_opts if o.startswith("--")]
            names.append(longs[0] if longs else param.opts[0])
    return names


def names_command(heading: str, path: str) -> bool:
    return re.search(re.escape(path) + r"(?![\w-])", heading) is not None


# A group without options of its own (``kb db``) is documented through its subcommands.
COMMANDS = [(path, cmd) for path, cmd in commands()
            if path != "kb" and not (isinstance(cmd, click.Group) and not options(cmd))]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path, command):
    parts = path.split()
    owners = [" ".join(parts[:n]) for n in range(2, len(parts) + 1)]  # kb db, kb db upgrade
    texts = [text for heading, text in sections()
             if any(names_command(heading, owner) for owner in owners)]
    assert texts, f"'{path}' has no section in docs/*.md: add a heading that names it"
    missing = [o for o in options(command)
               if not any(re.search(re.escape(o) + r"(?![\w-])", t) for t in texts)]
    assert missing == [], f"'{path}' options not documented under its heading: {missing}"


def test_version_option_is_documented():
    assert any("--version" in p.read_text() for p in doc_files())


def settings(config_class=KbConfig, prefix=""):
    for name, option in config_class._schema:
        yield prefix + name
        inner = option
        while isinstance(inner, (c.Optional, c.DictOfItems, c.ListOfItems)):
            inner = getattr(inner, "option", None) or getattr(inner, "option_type", None)
        if isinstance(inner, c.SubConfig):
            sub = inner.config_class
            if isinstance(sub, type) and issubclass(sub, base.Config):
                yield from settings(sub, f"{prefix}{name}.")


SETTINGS = list(settings())


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_plugin_setting_is_documented(setting):
    text = "\n".join(p.read_text(encoding="utf-8") for p in doc_files())
    last = setting.rsplit(".", 1)[-1]
    documented = f"`{setting}`" in text or f"`{last}`" in text
    assert documented, f"plugin setting '{setting}' is not in docs/*.md (write it as `{last}`)"


def test_settings_walk_finds_nested_settings():
    assert {"sidebar_limit", "categories.title", "categories.order"} <= set(SETTINGS)


def test_every_doc_is_linked_from_the_index():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    unlinked = [p.name for p in doc_files() if p.name != "index.md" and f"({p.name}" not in index]
    assert unlinked == []


def test_every_kb_check_message_is_explained_in_the_writers_guide():
    from .test_checks import CHECK_TABLE

    guide = (DOCS / "writers-guide.md").read_text(encoding="utf-8")
    for _rel, _text, expected in CHECK_TABLE:
        message = expected.split(": ", 2)[2]
        stem = re.split(r"['\d(]", message)[0].strip(" :")
        assert stem in guide, f"kb check message not explained in writers-guide.md: {message}"
