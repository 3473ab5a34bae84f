"""Snippets: the best-matching section of an article, a window of it, matches marked."""

from __future__ import annotations

from html import escape as _escape

from kb.search.analysis import terms

WINDOW = 200  # characters of text in a snippet


def html_escape(text: str) -> str:
    return _escape(text, quote=False)


# Accented Latin letters -> plain, for a quick substring test before analysing a text.
_FOLD = str.maketrans(
    "àáâäãåèéêëìíîïòóôöõùúûüçñÀÁÂÄÃÅÈÉÊËÌÍÎÏÒÓÔÖÕÙÚÛÜÇÑ",
    "aaaaaaeeeeiiiiooooouuuucnaaaaaaeeeeiiiiooooouuuucn",
)
MAX_TEXT = 4000  # characters of a section that are looked at


def _maybe(text: str, wanted: set[str]) -> bool:
    """False when no wanted term can be in ``text`` (stems are prefixes of their words)."""
    folded = text.lower().translate(_FOLD)
    return any(w in folded for w in wanted)


def _matches(text: str, lang: str, wanted: set[str]) -> list[tuple[int, int, str]]:
    text = text[:MAX_TEXT]
    if not text or not _maybe(text, wanted):
        return []
    return [(s, e, t) for t, _p, s, e in terms(text, lang) if t in wanted][:200]


def _rough(text: str, wanted: set[str]) -> int:
    """How many wanted terms may be in ``text`` (stems are prefixes of their words)."""
    folded = text[:MAX_TEXT].lower().translate(_FOLD)
    return sum(1 for w in wanted if w in folded)


def best_section(sections: list, wanted: set[str], lang: str):
    """``(index, matches)`` of the section with most distinct query terms (heading counts
    twice); the first section with text when nothing matches. Sections are ranked by a
    quick substring test; only the chosen one is analysed."""
    best, best_key = None, (0, 0)
    for i, (_anchor, heading, text) in enumerate(sections):
        key = (_rough(text, wanted) + 2 * _rough(heading or "", wanted), -i)
        if best is None or key > best_key:
            best, best_key = i, key
    if best is None or best_key[0] == 0:
        for i, sec in enumerate(sections):
            if sec[2]:
                return i, []
        return None, []
    return best, _matches(sections[best][2], lang, wanted)


def window(text: str, matches: list[tuple[int, int, str]], size: int = WINDOW) -> str:
    """HTML: about ``size`` characters of ``text`` around the densest matches, in <mark>."""
    text = text.replace("\n", " ")
    if not matches:
        cut = text[:size]
        if len(text) > size:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return html_escape(cut)
    # The window starting at a match that covers the most distinct terms.
    best_i, best_n = 0, -1
    for i, (s, _e, _t) in enumerate(matches):
        n = len({t for s2, _e2, t in matches[i:] if s2 < s + size})
        if n > best_n:
            best_i, best_n = i, n
    start = max(0, matches[best_i][0] - size // 4)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 30 else end
    out, pos = [], start
    for s, e, _t in matches:
        if s < start or e > end or s < pos:
            continue
        out.append(html_escape(text[pos:s]))
        out.append(f"<mark>{html_escape(text[s:e])}</mark>")
        pos = e
    out.append(html_escape(text[pos:end]))
    return ("… " if start > 0 else "") + "".join(out) + (" …" if end < len(text) else "")


def snippet(sections: list, summary: str, wanted: set[str], lang: str) -> tuple[str, dict | None]:
    """``(snippet_html, section)``; section is ``{"anchor", "title"}`` or None (page top)."""
    idx, found = best_section(sections, wanted, lang)
    if idx is None:
        return window(summary, _matches(summary, lang, wanted)), None
    anchor, heading, text = sections[idx]
    heading_hit = bool(heading) and bool(_matches(heading, lang, wanted))
    if not found and not heading_hit and summary:
        return window(summary, _matches(summary, lang, wanted)), None
    section = {"anchor": anchor, "title": heading} if anchor else None
    return window(text, found), section
