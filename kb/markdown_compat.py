"""Make Markdown from other knowledge bases render well: alerts, DocFX/Adobe inline markup."""

from __future__ import annotations

import re

from .i18n import translate

# GitHub/DocFX alerts: "> [!NOTE]" (also ">[!NOTE]"), followed by quoted lines.
_ALERT_START = re.compile(r"^(?P<indent>\s*)>\s*\[!(?P<kind>[A-Za-z]+)\]\s*(?P<rest>.*)$")
_QUOTED = re.compile(r"^(?P<indent>\s*)>(?P<text> ?.*)$")
_ADMONITION = {
    "note": "note", "tip": "tip", "important": "info", "warning": "warning",
    "caution": "danger", "info": "info", "error": "failure", "prerequisites": "abstract",
    "morelikethis": "info", "success": "success", "availability": "info",
}
_DNL = re.compile(r"\[!DNL\s+([^\]]+)\]")
_UICONTROL = re.compile(r"\[!UICONTROL\s+([^\]]+)\]")
_BADGE = re.compile(r"\[!BADGE\s+([^\]]+?)\]\{[^}]*\}|\[!BADGE\s+([^\]]+)\]")
_FENCE = re.compile(r"^\s*(```|~~~)")


def convert_alerts(markdown: str, lang: str = "en") -> str:
    """Turn ``> [!NOTE]`` blockquotes into Material admonitions; leave code blocks alone."""
    if "[!" not in markdown:
        return markdown
    lines = markdown.split("\n")
    out: list[str] = []
    i, in_fence = 0, False
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _ALERT_START.match(line)
        if not m or m.group("kind").lower() not in _ADMONITION:
            out.append(line)
            i += 1
            continue
        indent, kind = m.group("indent"), m.group("kind").lower()
        title = translate(lang, f"alert.{kind}")
        out.append(f'{indent}!!! {_ADMONITION[kind]} "{title}"')
        out.append("")
        if m.group("rest").strip():
            out.append(f"{indent}    {m.group('rest').strip()}")
        i += 1
        while i < len(lines):
            q = _QUOTED.match(lines[i])
            if not q or q.group("indent") != indent:
                break
            text = q.group("text")
            out.append(f"{indent}    {text[1:] if text.startswith(' ') else text}".rstrip())
            i += 1
        out.append("")
    return "\n".join(out)


def convert_inline_markup(markdown: str) -> str:
    """Adobe/DocFX inline tags: ``[!DNL X]`` -> X, ``[!UICONTROL X]`` -> **X**."""
    if "[!" not in markdown:
        return markdown
    markdown = _DNL.sub(r"\1", markdown)
    markdown = _UICONTROL.sub(r"**\1**", markdown)
    return _BADGE.sub(lambda m: f"`{m.group(1) or m.group(2)}`", markdown)


def to_mkdocs(markdown: str, lang: str = "en") -> str:
    return convert_alerts(convert_inline_markup(markdown), lang)
