"""The package as it is installed: one top-level package ``kb``, every folder listed, one version.

The repository's ``search/``, ``feedback_api/`` and ``theme/`` folders are installed as
``kb.search``, ``kb.feedback_api`` and ``kb.theme`` (docs/architecture.md, "Folders and import
names"). The slow test builds a real wheel and looks inside it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (the test extra installs tomli there)
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# installed name -> the repository's folder
PACKAGE_DIR = {
    "kb": "kb",
    "kb.search": "search",
    "kb.feedback_api": "feedback_api",
    "kb.theme": "theme",
}
OLD_TOP_LEVEL = {"search", "feedback_api", "theme"}
SOURCE_FOLDERS = ("kb", "search", "feedback_api", "theme", "tests", "benchmarks")
SKIP_PARTS = {"__pycache__", "fixtures"}  # tests/fixtures holds corpora, not kb's code


def installed_name(folder: Path) -> str:
    """``search/engine`` -> ``kb.search.engine``; ``kb/core`` -> ``kb.core``."""
    rel = folder.relative_to(ROOT).parts
    for name, top in sorted(PACKAGE_DIR.items(), key=lambda kv: -len(kv[0])):
        if rel[0] == top:
            return ".".join([name, *rel[1:]])
    raise AssertionError(folder)


def python_folders() -> set[Path]:
    folders = set()
    for top in PACKAGE_DIR.values():
        for path in (ROOT / top).rglob("*.py"):
            if not SKIP_PARTS & set(path.relative_to(ROOT).parts):
                folders.add(path.parent)
    return folders


def test_the_package_dir_maps_the_three_folders_into_kb():
    assert SETUPTOOLS["package-dir"] == PACKAGE_DIR


def test_every_folder_with_python_files_is_a_listed_package():
    listed = set(SETUPTOOLS["packages"])
    wanted = {installed_name(folder) for folder in python_folders()}
    assert wanted - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - wanted == set(), "these listed packages have no Python files"


def source_files() -> list[Path]:
    return [
        path
        for top in SOURCE_FOLDERS
        for path in (ROOT / top).rglob("*.py")
        if not SKIP_PARTS & set(path.relative_to(ROOT).parts)
    ]


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_code_imports_the_folders_by_their_repository_names():
    files = source_files()
    assert len(files) > 100  # the walk found the code
    wrong = {
        str(path.relative_to(ROOT)): sorted(top_level_imports(path) & OLD_TOP_LEVEL)
        for path in files
        if top_level_imports(path) & OLD_TOP_LEVEL
    }
    assert wrong == {}, "import kb.search, kb.feedback_api, kb.theme instead"


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    assert SETUPTOOLS["dynamic"]["version"] == {"attr": "kb.__version__"}
    source = (ROOT / "kb" / "__init__.py").read_text(encoding="utf-8")
    assert re.search(r'^__version__ = "\d+\.\d+\.\d+[\w.]*"$', source, re.M)


def test_the_distribution_is_named_kb_helpcenter_and_installs_the_kb_command():
    assert PYPROJECT["project"]["name"] == "kb-helpcenter"
    assert PYPROJECT["project"]["scripts"] == {"kb": "kb.cli:main"}
    assert PYPROJECT["project"]["entry-points"]["mkdocs.plugins"] == {"kb": "kb.plugin:KbPlugin"}


# -- a real wheel ---------------------------------------------------------------------------

COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".kb", "site", "tests", "benchmarks", "*.egg-info", "__pycache__", "build"
)


def files_under(folder: str, *patterns: str) -> set[str]:
    """The repository's files under ``folder`` as the wheel names them (``kb/theme/...``)."""
    found = set()
    for pattern in patterns or ("**/*",):
        for path in (ROOT / folder).glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(installed_name(path.parent).replace(".", "/") + "/" + path.name)
    return found


def can_build_here() -> bool:
    """Whether this environment's setuptools can build a wheel itself: setuptools 70.1 and
    later have ``bdist_wheel``; older ones need the ``wheel`` package."""
    import importlib.util

    import setuptools

    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    copy = tmp / "src"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=False)
    out = tmp / "dist"
    # With this environment's setuptools when it can build wheels; otherwise pip fetches the
    # build requirements of pyproject.toml from the package index into an isolated build.
    isolation = ["--no-build-isolation"] if can_build_here() else []
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation]
        + ["-w", str(out), str(copy)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("kb_helpcenter-*.whl")
    with zipfile.ZipFile(built) as zf:
        yield zf


@pytest.mark.slow
def test_the_wheel_has_one_top_level_package(wheel):
    import kb

    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert tops == {"kb", f"kb_helpcenter-{kb.__version__}.dist-info"}
    entry_points = wheel.read(f"kb_helpcenter-{kb.__version__}.dist-info/entry_points.txt")
    assert b"kb = kb.cli:main" in entry_points
    assert b"kb = kb.plugin:KbPlugin" in entry_points


@pytest.mark.slow
def test_the_wheel_ships_the_data_files(wheel):
    names = set(wheel.namelist())
    wanted = {
        "samples": files_under("kb/samples"),
        "synonyms": files_under("search/synonyms"),
        "theme": files_under("theme", "**/*.html", "**/*.css", "**/*.js"),
        "dashboard": files_under("feedback_api/templates") | files_under("feedback_api/static"),
        "migrations": files_under("kb/store/migrations", "*.py", "*.mako", "versions/*.py"),
        "typed": {"kb/py.typed"},
    }
    assert "kb/samples/en/account/reset-your-password.md" in wanted["samples"]
    assert "kb/theme/partials/feedback.html" in wanted["theme"]
    assert "kb/store/migrations/script.py.mako" in wanted["migrations"]
    assert "kb/store/migrations/versions/0001_feedback.py" in wanted["migrations"]
    missing = {part: sorted(files - names) for part, files in wanted.items() if files - names}
    assert missing == {}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
