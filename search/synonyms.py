"""Synonyms: the words customers use for what the articles call something else.

Built-in groups live in ``search/synonyms/<lang>.txt`` (one group a line, comma-separated
words or phrases, ``#`` comments). A help center adds its own in the same format (the
``search_synonyms`` folder); a build copies them into the published index generation, and
:func:`for_generation` gives the engine a :class:`Thesaurus` of built-ins + that generation's
groups.
Matching runs on every word of the query, stop words included, so "log in" is not mistaken
for "log".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kb.search.analysis import _PARTS, LANGS, clean, fold, stemmer, terms

DATA = Path(__file__).resolve().parent / "synonyms"
PUBLISHED = "synonyms"  # the folder of project groups inside a published index generation
NO_BUILTIN = "no-builtin"  # a marker file there: the project's groups replace the built-ins


@dataclass(frozen=True)
class Variant:
    match: tuple[str, ...]  # every word, stemmed (stop words too): what a query must contain
    terms: tuple[str, ...]  # the indexable terms: what the variant searches for


# Articles and determiners are skipped when matching ("export the database" matches
# "export database"); prepositions are not ("log in" is not "log").
SKIP = {
    "en": {"the", "a", "an", "my", "our", "your", "this", "that"},
    "it": {
        "il",
        "lo",
        "la",
        "i",
        "gli",
        "le",
        "l",
        "un",
        "una",
        "uno",
        "mio",
        "mia",
        "miei",
        "mie",
        "nostro",
        "nostra",
        "questo",
        "questa",
    },
}


def _match_key(text: str, lang: str) -> tuple[str, ...]:
    st = stemmer(lang)
    skip = SKIP.get(lang, set())
    return tuple(_key(st, w) for w in _PARTS.findall(clean(text)) if w.lower() not in skip)


def _keys_at(text: str, lang: str) -> list[tuple[int, str]]:
    """(position in the query's words, match key) of every word that is not skipped."""
    st = stemmer(lang)
    skip = SKIP.get(lang, set())
    return [
        (i, _key(st, w)) for i, w in enumerate(_PARTS.findall(clean(text))) if w.lower() not in skip
    ]


def _key(st, word: str) -> str:
    """A word's match key: stemmed like the analysis does (irregular forms first), stop
    words included."""
    lw = word.lower()
    return fold(st.stem(st.irregular.get(lw, lw)))


def variant(text: str, lang: str) -> Variant:
    return Variant(_match_key(text, lang), tuple(dict.fromkeys(t for t, *_ in terms(text, lang))))


def parse(text: str) -> list[tuple[int, list[str]]]:
    """``(line number, entries)`` of every group line (comments and blank lines skipped)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((n, [e.strip() for e in line.split(",") if e.strip()]))
    return out


def usable(v: Variant) -> bool:
    """Whether an entry analyses to something a query can match and an index holds."""
    return bool(v.match and v.terms)


def compile_groups(text: str, lang: str) -> tuple[tuple[Variant, ...], ...]:
    """The groups of one synonyms file; entries without a searchable word are dropped, and
    so is a group left with fewer than two entries (``kb check`` reports both)."""
    out = []
    for _n, entries in parse(text):
        vs = [v for v in (variant(e, lang) for e in entries) if usable(v)]
        if len(vs) > 1:
            out.append(tuple(vs))
    return tuple(out)


def problems(text: str, lang: str) -> list[tuple[int, str]]:
    """``(line, message)`` for every group ``compile_groups`` would drop or cut."""
    out = []
    for n, entries in parse(text):
        if len(entries) < 2:
            out.append(
                (
                    n,
                    f"a synonym group needs at least two entries separated by commas; "
                    f"found {len(entries)}",
                )
            )
        for e in entries:
            if not usable(variant(e, lang)):
                out.append((n, f"'{e}' has no searchable word (only stop words or punctuation)"))
    return out


@cache
def groups(lang: str) -> tuple[tuple[Variant, ...], ...]:
    """The built-in groups of ``lang``."""
    path = DATA / f"{lang}.txt"
    if not path.exists():
        return ()
    return compile_groups(path.read_text(encoding="utf-8"), lang)


class Thesaurus:
    """The synonym groups one index searches with: kb's built-ins and the project's own."""

    def __init__(self, extra: dict[str, tuple] | None = None, *, builtin: bool = True) -> None:
        self.extra = {lang: tuple(g) for lang, g in (extra or {}).items()}
        self.builtin = builtin

    @classmethod
    def load(cls, folder: str | Path | None, *, builtin: bool | None = None) -> Thesaurus:
        """Built-ins plus ``<folder>/<lang>.txt`` (a missing folder or file adds nothing;
        a marker file ``no-builtin`` in the folder leaves the built-ins out). Lenient: a bad
        line is skipped here, ``kb check`` reports it."""
        folder = Path(folder) if folder else None
        extra = {}
        if folder is not None and folder.is_dir():
            for lang in LANGS:
                try:
                    text = (folder / f"{lang}.txt").read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                extra[lang] = compile_groups(text, lang)
            if builtin is None:
                builtin = not (folder / NO_BUILTIN).exists()
        return cls(extra, builtin=True if builtin is None else builtin)

    def groups(self, lang: str) -> tuple[tuple[Variant, ...], ...]:
        return (groups(lang) if self.builtin else ()) + self.extra.get(lang, ())

    def find(self, text: str, lang: str) -> list[Span]:
        """The synonym spans in the query's words (positions as in analysis.terms)."""
        return _find(text, lang, self.groups(lang))


BUILTIN = Thesaurus()


def for_generation(folder: Path | None) -> Thesaurus:
    """The thesaurus of a published index generation's folder (None: an index not on disk):
    built-ins plus the groups it carries (``<generation>/synonyms/``, written by
    :func:`kb.search.index.publish`)."""
    if folder is None or not (folder / PUBLISHED).is_dir():
        return BUILTIN
    return Thesaurus.load(folder / PUBLISHED)


@dataclass
class Span:
    start: int  # in the query's words
    end: int
    alternatives: list[tuple[str, ...]]  # term tuples of the other variants


def _find(text: str, lang: str, groups) -> list[Span]:
    at = _keys_at(text, lang)
    words = [k for _i, k in at]
    taken = [False] * len(words)
    spans: list[Span] = []
    candidates = []
    for group in groups:
        for v in group:
            n = len(v.match)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == v.match:
                    candidates.append((n, i, v, group))
    by_place: dict[tuple[int, int], Span] = {}
    for n, i, v, group in sorted(candidates, key=lambda c: (-c[0], c[1])):
        alts = [o.terms for o in group if o is not v and o.terms != v.terms]
        same = by_place.get((i, i + n))
        if same is not None:  # the words belong to several groups
            same.alternatives = list(dict.fromkeys(same.alternatives + alts))
            continue
        if any(taken[i : i + n]):
            continue
        for k in range(i, i + n):
            taken[k] = True
        by_place[(i, i + n)] = span = Span(
            at[i][0], at[i + n - 1][0] + 1, list(dict.fromkeys(alts))
        )
        spans.append(span)
    return sorted(spans, key=lambda s: s.start)
