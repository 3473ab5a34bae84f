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
from tests.helpers import ROOT

DOCS = ROOT / "docs"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def doc_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def sections() -> list[tuple[str, str]]:
    """(heading, text under it up to the next heading of the same or a higher level)."""
    found = []
    for path in doc_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        heads = [
            (i, len(m.group(1)), m.group(2))
            for i, ln in enumerate(lines)
            if (m := HEADING.match(ln))
        ]
        for n, (i, level, title) in enumerate(heads):
            end = next((j for j, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
            found.append((title, "\n".join(lines[i:end])))
    return found


def commands(group=main, path=("kb",)):
    yield " ".join(path), group
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if command is not None and not command.hidden:
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
COMMANDS = [
    (path, cmd)
    for path, cmd in commands()
    if path != "kb" and not (isinstance(cmd, click.Group) and not options(cmd))
]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_documented(path, command):
    parts = path.split()
    owners = [" ".join(parts[:n]) for n in range(2, len(parts) + 1)]  # kb db, kb db upgrade
    texts = [
        text
        for heading, text in sections()
        if any(names_command(heading, owner) for owner in owners)
    ]
    assert texts, f"'{path}' has no section in docs/*.md: add a heading that names it"
    missing = [
        o
        for o in options(command)
        if not any(re.search(re.escape(o) + r"(?![\w-])", t) for t in texts)
    ]
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
    from tests.content.test_checks import CHECK_TABLE

    guide = (DOCS / "writers-guide.md").read_text(encoding="utf-8")
    for _rel, _text, expected in CHECK_TABLE:
        message = expected.split(": ", 2)[2]
        stem = re.split(r"['\d(]", message)[0].strip(" :")
        assert stem in guide, f"kb check message not explained in writers-guide.md: {message}"


# Source paths and module names the docs (and the README) name must exist in the current tree.
SOURCE_ROOTS = ("kb/", "search/", "feedback_api/", "theme/", "tests/", "benchmarks/")
BACKTICKED = re.compile(r"`([^`\s]+)`")
DOTTED = re.compile(r"^kb(\.\w+)+$")
PYTHON_M = re.compile(r"python -m ([\w.]+)")
APP_FACTORY = re.compile(r"""["']([\w.]+):create_app\(\)["']""")


BEFORE_AFTER = "## Five typical changes"  # architecture.md: its "before" column is the old layout


def _without_the_old_layout(text: str) -> str:
    """architecture.md's table of typical changes names the previous layout's files in its
    second column ("before"); only the other columns describe the current tree."""
    head, sep, table = text.partition(BEFORE_AFTER)
    rows = []
    for line in table.splitlines():
        cells = line.split(" | ")
        rows.append(" | ".join(cells[:1] + cells[2:]) if line.startswith("|") else line)
    return head + sep + "\n".join(rows)


def product_texts() -> list[tuple[str, str]]:
    files = [*doc_files(), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    return [
        (p.name, _without_the_old_layout(p.read_text(encoding="utf-8")))
        for p in files
        if p.exists()
    ]


def test_every_source_path_named_in_the_docs_exists():
    missing = []
    for name, text in product_texts():
        for token in BACKTICKED.findall(text):
            if token.startswith(SOURCE_ROOTS) and not any(ch in token for ch in "*…<{"):
                path = token.split(":")[0].split("#")[0]
                if not (ROOT / path).exists():
                    missing.append(f"{name}: {token}")
    assert missing == []


def _resolves(dotted: str) -> bool:
    import importlib
    import importlib.util

    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):  # the longest importable prefix, then attributes
        module = ".".join(parts[:n])
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            obj = importlib.import_module(module)
            for attr in parts[n:]:
                if not hasattr(obj, attr):
                    return False
                obj = getattr(obj, attr)
            return True
    return False


def test_every_module_named_in_the_docs_imports():
    names = set()
    for _name, text in product_texts():
        names |= set(PYTHON_M.findall(text)) | set(APP_FACTORY.findall(text))
        names |= {t for t in BACKTICKED.findall(text) if DOTTED.match(t)}
    assert "kb.feedback_api" in names  # the gunicorn line of docs/deployment.md
    missing = sorted(n for n in names if not _resolves(n))
    assert missing == []


def test_the_docs_install_the_distribution_by_its_name():
    wrong = [
        f"{name}: {line.strip()}"
        for name, text in product_texts()
        for line in text.splitlines()
        if re.search(r"pip install ['\"]?kb(?![\w-])", line)
    ]
    assert wrong == [], "the distribution is kb-helpcenter (kb on PyPI is another project)"
