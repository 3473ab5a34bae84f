"""The project's search settings that name files: its own synonyms (``search_synonyms``
folder) and its model (``search_model``). Where they are, and what ``kb check`` and
``kb build`` say about them, as ``path:line: level: message`` findings."""

from __future__ import annotations

from pathlib import Path

from kb.search.analysis import LANGS
from kb.search.synonyms import problems

from kb.core.errors import Finding
from kb.core.paths import display_path

ERROR = "error"
INDEX_DIR = Path(".kb") / "search-index"  # the working index, inside the project folder


def project_dir(config) -> Path:
    """The project folder of a loaded ``mkdocs.yml``: the file's folder (or the current one)."""
    path = config.config_file_path
    return Path(path).resolve().parent if path else Path.cwd()


def index_dir(config) -> Path:
    """Where every build of the project keeps its working search index, between builds:
    ``<project>/.kb/search-index`` (``kb build``, ``kb serve`` and ``kb search reindex``)."""
    return project_dir(config) / INDEX_DIR


def _search_settings(config):
    """The kb plugin's settings when it builds a search index, else None."""
    kb = config.plugins.get("kb")
    if kb is None or not kb.config.enabled or not kb.config.search:
        return None
    return kb.config


def synonyms_dir(config) -> Path | None:
    """The folder of the project's synonym files for a loaded ``mkdocs.yml``, or None when
    the kb plugin, its search or the setting is off."""
    settings = _search_settings(config)
    if settings is None or not settings.search_synonyms:
        return None
    return project_dir(config) / settings.search_synonyms


def model_dir(config) -> Path | None:
    """The folder ``search_model`` names, or None when search by meaning is off."""
    settings = _search_settings(config)
    if settings is None or not settings.search_model:
        return None
    return project_dir(config) / settings.search_model


def builtin_synonyms(config) -> bool:
    kb = config.plugins.get("kb")
    return bool(kb is None or kb.config.search_builtin_synonyms)


def check_folder(folder: Path | None) -> list[Finding]:
    """Every problem of the synonym files in ``folder`` (nothing when it does not exist)."""
    if folder is None or not folder.exists():
        return []
    if not folder.is_dir():
        return [
            Finding(
                display_path(folder),
                1,
                ERROR,
                "search_synonyms must name a folder of <lang>.txt files",
            )
        ]
    out = []
    for path in sorted(folder.glob("*.txt")):
        shown = display_path(path)
        lang = path.stem
        if lang not in LANGS:
            out.append(
                Finding(
                    shown,
                    1,
                    ERROR,
                    f"unknown language '{lang}': synonym files are named "
                    + " or ".join(f"{code}.txt" for code in LANGS),
                )
            )
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append(Finding(shown, 1, ERROR, f"cannot read: {exc.strerror}"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            out.append(Finding(shown, line, ERROR, "not UTF-8 text: save the file as UTF-8"))
            continue
        out += [Finding(shown, n, ERROR, message) for n, message in problems(text, lang)]
    return out


def check_config(config) -> list[Finding]:
    """The findings for the project that ``config`` (a loaded mkdocs.yml) describes."""
    return check_folder(synonyms_dir(config)) + check_model(config)


MODEL_FILES = ("config.json", "tokenizer.json", "model.safetensors")


def check_model(config) -> list[Finding]:
    """``search_model`` names a folder that holds a model (the build loads it)."""
    folder = model_dir(config)
    if folder is None:
        return []
    setting = config.plugins["kb"].config.search_model
    path = config.config_file_path
    missing = ([] if folder.is_dir() else ["the folder"]) or [
        name for name in MODEL_FILES if not (folder / name).is_file()
    ]
    if not missing:
        return []
    shown = display_path(Path(path)) if path else "mkdocs.yml"
    line = 1
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines() if path else []
        line = next(n for n, text in enumerate(lines, 1) if "search_model:" in text)
    except (OSError, StopIteration, UnicodeDecodeError):
        pass
    what = (
        "no such folder"
        if missing == ["the folder"]
        else "not a sentence-transformers model folder: no " + ", ".join(missing)
    )
    return [Finding(shown, line, ERROR, f"search_model '{setting}': {what}")]
