"""Split a Markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = "---"
END_FENCES = ("---", "...")


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
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        data = yaml.safe_load(raw) if node is not None else {}
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
