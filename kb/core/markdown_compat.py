"""Make Markdown from other knowledge bases render well: alerts, DocFX/Adobe inline markup."""

from __future__ import annotations

import re
from collections.abc import Callable

from kb.core.content import code_lines
from kb.core.i18n import translate

# GitHub/DocFX alerts: "> [!NOTE]" (also ">[!NOTE]"), followed by quoted lines.
_ALERT_START = re.compile(r"^(?P<indent>\s*)>\s*\[!(?P<kind>[A-Za-z]+)\]\s*(?P<rest>.*)$")
_QUOTED = re.compile(r"^(?P<indent>\s*)>(?P<text> ?.*)$")
_ADMONITION = {
    "note": "note",
    "tip": "tip",
    "important": "info",
    "warning": "warning",
    "caution": "danger",
    "info": "info",
    "error": "failure",
    "prerequisites": "abstract",
    "morelikethis": "info",
    "success": "success",
    "availability": "info",
}
_DNL = re.compile(r"\[!DNL\s+([^\]]+)\]")
_UICONTROL = re.compile(r"\[!UICONTROL\s+([^\]]+)\]")
_BADGE = re.compile(r"\[!BADGE\s+([^\]]+?)\]\{[^}]*\}|\[!BADGE\s+([^\]]+)\]")


def plain_inline(text: str) -> str:
    """A title without Adobe/DocFX inline tags: ``[!UICONTROL Save]`` -> ``Save``."""
    if "[!" not in text:
        return text
    text = _UICONTROL.sub(r"\1", _DNL.sub(r"\1", text))
    return _BADGE.sub(lambda m: m.group(1) or m.group(2), text)


def convert_alerts(markdown: str, lang: str = "en") -> str:
    """Turn ``> [!NOTE]`` blockquotes into Material admonitions; leave code blocks alone."""
    if "[!" not in markdown:
        return markdown
    lines = markdown.split("\n")
    in_code = [code for _line, code in code_lines(lines)]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = None if in_code[i] else _ALERT_START.match(line)
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


# Jekyll (Liquid) and kramdown, as in GitHub Pages help centers such as DuckDuckGo's.
_BASEURL = re.compile(r"\{\{\s*site\.baseurl\s*\}\}")
_INCLUDE = re.compile(r"\{%-?\s*include\s+([\w./-]+)[^%]*?-?%\}")
_LIQUID_TAG = re.compile(r"\{%-?.*?-?%\}")
_LIQUID_LOGIC = re.compile(r"\{%-?\s*(?:for|if|unless|assign|capture|case)\b")
_KRAMDOWN_TOC = re.compile(r"^[ \t]*[-*+][ \t]+TOC[ \t]*\n[ \t]*\{:toc\}[ \t]*$", re.M)
_NOMARKDOWN = re.compile(r"\{::nomarkdown\}|\{:/(?:nomarkdown)?\}")
_IAL_RUN = re.compile(r"(?:\{:(?![:/])[^{}\n]*\})+")
_IAL_ONE = re.compile(r"\{:([^{}\n]*)\}")

IncludeLoader = Callable[[str], "str | None"]


def _merge_ial(m: re.Match) -> str:
    """``{:target="\\_blank"}{:rel="x"}`` -> ``{: target="_blank" rel="x" }`` (attr_list)."""
    parts = [p.strip().replace("\\_", "_") for p in _IAL_ONE.findall(m.group(0))]
    return "{: " + " ".join(p for p in parts if p) + " }"


def convert_jekyll(markdown: str, include: IncludeLoader | None = None, depth: int = 0) -> str:
    """Liquid and kramdown from Jekyll sites: ``{% include x.md %}`` is inlined when it is a
    plain Markdown partial (and dropped when it is a Liquid template), ``{{ site.baseurl }}``
    becomes the site root, kramdown's attribute lists become attr_list ones, ``{:toc}`` and
    ``{::nomarkdown}`` markers go. Code blocks are left alone."""
    if "{" not in markdown or not ("{%" in markdown or "{{" in markdown or "{:" in markdown):
        return markdown
    out = []
    for line, in_code in code_lines(markdown.split("\n")):
        if in_code or "{" not in line:
            out.append(line)
            continue
        if "{{" in line:
            line = _BASEURL.sub("", line)
        if "{%" in line:
            line = _INCLUDE.sub(lambda m: _inline(m.group(1), include, depth), line)
            line = _LIQUID_TAG.sub("", line)
        if "{:" in line:
            line = _NOMARKDOWN.sub("", line)
            line = _IAL_RUN.sub(_merge_ial, line) if "{:toc}" not in line else line
        out.append(line)
    text = "\n".join(out)
    return _KRAMDOWN_TOC.sub("", text) if "{:toc}" in text else text


def _inline(name: str, include: IncludeLoader | None, depth: int) -> str:
    text = include(name) if include is not None and depth < 3 else None
    if not text or _LIQUID_LOGIC.search(text):
        return ""  # a Liquid template (e.g. generated navigation): kb makes its own
    return convert_jekyll(text.strip("\n"), include, depth + 1)


def to_mkdocs(markdown: str, lang: str = "en", include: IncludeLoader | None = None) -> str:
    return convert_alerts(convert_inline_markup(convert_jekyll(markdown, include)), lang)
