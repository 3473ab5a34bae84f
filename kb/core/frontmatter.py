"""Split a Markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = "---"
END_FENCES = ("---", "...")
# Flow collections ("[[[[...") nested deeper than this are refused before parsing: libyaml
# recurses once per level and crashes the whole process (segfault) at about 30,000 levels.
MAX_NESTING = 100


def _checked_timestamp(loader, node):
    """Dates like ``2030-02-30`` match YAML's date pattern but are not dates: a marked error."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{node.value}' is not a valid date ({exc})", node.start_mark
        ) from None


class _SafeLoader(yaml.SafeLoader):
    pass


# libyaml's loader when PyYAML was built with it, the pure-Python one otherwise.
_FastBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastSafeLoader(_FastBase):  # type: ignore[valid-type,misc]
    pass


for _cls in (_SafeLoader, _FastSafeLoader):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)

# libyaml's parser when PyYAML has it (about 10x faster); the same safe constructor either way
_Loader = _FastSafeLoader


class FrontMatterError(ValueError):
    """Malformed front matter; ``line`` is 1-based in the whole file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # line of the file where the body starts
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> line in the file


def _key_lines(node: yaml.Node, offset: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[str(key.value)] = key.start_mark.line + offset
    return lines


def _load(raw: str, loader_class) -> tuple[yaml.Node | None, Any]:
    """One pass: the node tree gives the key lines, then the same tree is constructed."""
    loader = loader_class(raw)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else {})
    finally:
        loader.dispose()


def _too_deep(raw: str) -> int | None:
    """The line (in ``raw``, 0-based) where flow nesting passes MAX_NESTING, else None."""
    if raw.count("[") + raw.count("{") <= MAX_NESTING:
        return None
    depth = line = 0
    for ch in raw:
        if ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "\n":
            line += 1
    return None


def parse(text: str) -> FrontMatter:
    """Parse ``text``; raise :class:`FrontMatterError` with the file line of any problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return FrontMatter(body=text)
    end = None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in END_FENCES:
            end = i
            break
    if end is None:
        raise FrontMatterError("front matter starts with '---' but is never closed", 1)
    raw = "\n".join(lines[1:end])
    deep = _too_deep(raw)
    if deep is not None:
        raise FrontMatterError(
            f"front matter nests lists or mappings more than {MAX_NESTING} levels deep", deep + 2
        )
    try:
        try:
            node, data = _load(raw, _Loader)
        except yaml.YAMLError:
            # PyYAML's own parser words problems and places marks as writers know them
            node, data = _load(raw, _SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark else 1
        problem = exc.problem or str(exc)
        raise FrontMatterError(f"malformed YAML front matter: {problem}", line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise FrontMatterError(f"malformed YAML front matter: {exc}", 1) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a mapping of 'key: value' lines", 2)
    body = "\n".join(lines[end + 1 :])
    return FrontMatter(
        data={str(k): v for k, v in data.items()},
        body=body,
        body_line=end + 2,
        key_lines=_key_lines(node, 2) if node is not None else {},
    )
