"""Text analysis per language: words, stop words, Snowball stems, accent folding.

One fast pass per text (a regex and a memo of word -> stem) instead of Whoosh's chain of
filters: indexing 10,000 articles spends most of its time here. The same function analyses
articles and queries, so both sides agree on every term.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from whoosh.analysis import Analyzer, Token
from whoosh.lang import stemmer_for_language, stopwords_for_language

LANGS = ("en", "it")

# A word: letters/digits, optionally joined by . _ - ' inside ("2.4.5", "max_allowed_packet",
# "e-mail"). Apostrophes split Italian elisions ("dell'ambiente") into parts below.
_WORD = re.compile(r"[^\W_]+(?:[._\-](?=[^\W_])[^\W_]+)*", re.UNICODE)
_PARTS = re.compile(r"[^\W_]+", re.UNICODE)

_EXTRA_STOPS = {
    "en": {
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "must",
        "get",
        "got",
        "how",
        "why",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "i",
        "my",
        "me",
        "we",
        "our",
        "us",
        "you",
        "your",
        "it",
        "its",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "there",
        "here",
        "this",
        "that",
        "these",
        "those",
        "s",
        "t",
        "don",
        "doesn",
        "didn",
        "isn",
        "aren",
        "wasn",
        "won",
        "can't",
        "cannot",
        "anymore",
        "please",
        "help",
        "also",
        "some",
        "any",
        "than",
        "then",
        "so",
        "just",
        "very",
        "too",
        "still",
        "instead",
        "every",
        "keeps",
        "keep",
    },
    "it": {
        "l",
        "un",
        "dell",
        "all",
        "dall",
        "nell",
        "sull",
        "quest",
        "quell",
        "c",
        "d",
        "s",
        "po",
        "perche",
        "perché",
        "cosa",
        "come",
        "posso",
        "puo",
        "può",
        "devo",
        "deve",
        "mio",
        "mia",
        "miei",
        "mie",
        "mi",
        "ci",
        "si",
        "ne",
        "non",
        "più",
        "piu",
        "anche",
        "quando",
        "dove",
        "quale",
        "quali",
        "qual",
        "ogni",
        "già",
        "gia",
        "ancora",
        "molto",
        "tramite",
        "essere",
        "avere",
        "fare",
        "è",
        "e",
        "viene",
        "vengono",
        "aiuto",
        "solo",
        "dopo",
        "prima",
        "tra",
        "fra",
        "invece",
    },
}


# Number words a query may spell out where articles write the digit ("jumps by three" ->
# "set to 3"); searched as an alternative to the word (see search.engine.units).
NUMBER_WORDS = {
    "en": {
        w: str(i)
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve".split()
        )
    },
    "it": {
        w: str(i)
        for i, w in enumerate(
            "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici".split()
        )
    },
}


# Irregular forms Snowball cannot relate to their base word ("broke", "broken" -> "break";
# "rotto" -> "rompere"): replaced before stemming, on both sides, so they meet.
_IRREGULAR_BASES = {
    "en": {
        "break": "broke broken",
        "forget": "forgot forgotten",
        "lose": "lost",
        "send": "sent",
        "go": "went gone",
        "pay": "paid",
        "buy": "bought",
        "run": "ran",
        "show": "shown",
        "stick": "stuck",
        "write": "wrote written",
        "take": "took taken",
        "give": "gave given",
        "see": "saw seen",
        "begin": "began begun",
        "hide": "hid hidden",
        "freeze": "froze frozen",
        "choose": "chose chosen",
        "find": "found",
        "build": "built",
        "hang": "hung",
        "keep": "kept",
        "make": "made",
        "spend": "spent",
        "throw": "threw thrown",
        "fall": "fell fallen",
        "drive": "drove driven",
        "rise": "rose risen",
        "come": "came",
        "become": "became",
        "tell": "told",
        "sell": "sold",
        "bring": "brought",
        "think": "thought",
        "catch": "caught",
        "teach": "taught",
        "feel": "felt",
        "mean": "meant",
        "do": "did done",
        "get": "got gotten",
        "say": "said",
        "know": "knew known",
        "stand": "stood",
        "understand": "understood",
        "hold": "held",
        "grow": "grew grown",
        "draw": "drew drawn",
        "fly": "flew flown",
        "wear": "wore worn",
        "tear": "tore torn",
        "shrink": "shrank shrunk",
        "overwrite": "overwrote overwritten",
        "rewrite": "rewrote rewritten",
        "undo": "undid undone",
        "rebuild": "rebuilt",
        "resend": "resent",
        "bind": "bound",
        "feed": "fed",
        "withdraw": "withdrew withdrawn",
        "wake": "woke woken",
        "spin": "spun",
        "forbid": "forbade forbidden",
        "mislead": "misled",
        "win": "won",
        "sink": "sank sunk",
    },
    "it": {
        "rompere": "rotto rotta rotti rotte",
        "perdere": "perso persa persi perse",
        "mettere": "messo messa messi messe",
        "prendere": "preso presa presi prese",
        "chiedere": "chiesto chiesta chiesti chieste",
        "rispondere": "risposto risposta risposti risposte",
        "scrivere": "scritto scritta scritti scritte",
        "leggere": "letto letta letti lette",
        "spegnere": "spento spenta spenti spente",
        "accendere": "acceso accesa accesi accese",
        "togliere": "tolto tolta tolti tolte",
        "scegliere": "scelto scelta scelti scelte",
        "chiudere": "chiuso chiusa chiusi chiuse",
        "scadere": "scaduto scaduta scaduti scadute",
        "risolvere": "risolto risolta risolti risolte",
        "rimanere": "rimasto rimasta rimasti rimaste",
        "sospendere": "sospeso sospesa sospesi sospese",
        "escludere": "escluso esclusa esclusi escluse",
        "includere": "incluso inclusa inclusi incluse",
        "correggere": "corretto corretta corretti corrette",
        "riuscire": "riesco riesci riesce riescono riuscito riuscita riusciti riuscite",
        "uscire": "esco esci esce escono uscito uscita usciti uscite",
        "apparire": "appare appaiono apparso apparsa apparsi apparse",
        "scomparire": "scompare scompaiono scomparso scomparsa scomparsi scomparse",
        "comparire": "compare compaiono comparso comparsa comparsi comparse",
        "vedere": "visto vista visti viste",
        "venire": "venuto venuta venuti venute",
        "rimuovere": "rimosso rimossa rimossi rimosse",
        "muovere": "mosso mossa mossi mosse",
        "connettere": "connesso connessa connessi connesse",
        "disconnettere": "disconnesso disconnessa disconnessi disconnesse",
        "permettere": "permesso permessa permessi permesse",
        "emettere": "emesso emessa emessi emesse",
        "trasmettere": "trasmesso trasmessa trasmessi trasmesse",
        "nascondere": "nascosto nascosta nascosti nascoste",
        "coprire": "coperto coperta coperti coperte",
        "scoprire": "scoperto scoperta scoperti scoperte",
        "dividere": "diviso divisa divisi divise",
        "decidere": "deciso decisa decisi decise",
        "attendere": "atteso attesa attesi attese",
        "ridurre": "riduce riducono ridotto ridotta ridotti ridotte",
        "tradurre": "traduce traducono tradotto tradotta tradotti tradotte",
        "dire": "detto detta detti dette dice dicono",
        "accadere": "accaduto accaduta",
        "spendere": "speso spesa spesi spese",
        "concedere": "concesso concessa concessi concesse",
        "comprimere": "compresso compressa compressi compresse",
        "espandere": "espanso espansa espansi espanse",
        "aprire": "apro apre aprono aperto aperta aperti aperte",
    },
}
IRREGULAR = {
    lang: {form: base for base, forms in table.items() for form in forms.split()}
    for lang, table in _IRREGULAR_BASES.items()
}


@cache
def signature() -> str:
    """A digest of the word lists analysis depends on: an index made with other lists is
    rebuilt (search.index), so documents and queries are always analysed alike."""
    tables = [sorted(stopwords(lang)) for lang in LANGS] + [
        sorted(IRREGULAR.get(lang, {}).items()) for lang in LANGS
    ]
    return hashlib.sha256(repr(tables).encode()).hexdigest()[:12]


@cache
def stopwords(lang: str) -> frozenset[str]:
    words = set(stopwords_for_language(lang)) | _EXTRA_STOPS.get(lang, set())
    return frozenset(words | {fold(w) for w in words})


def fold(text: str) -> str:
    """Lower case without accents: "perché" -> "perche"."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


class _Stemmer:
    """word -> stemmed, folded term (or None for a stop word), memoised per language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stem = stemmer_for_language(lang)
        self.stops = stopwords(lang)
        self.irregular = IRREGULAR.get(lang, {})
        self.memo: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        try:
            return self.memo[word]
        except KeyError:
            pass
        lw = word.lower()
        if lw in self.stops:
            term = None
        elif lw.isdigit() or not lw.isalpha():
            term = fold(lw)
        else:
            term = fold(self.stem(self.irregular.get(lw, lw)))
        if len(self.memo) < 500_000:
            self.memo[word] = term
        return term


@cache
def stemmer(lang: str) -> _Stemmer:
    return _Stemmer(lang if lang in LANGS else "en")


def clean(text: str) -> str:
    """Unescape HTML entities left in translated text (``l&#39;e-mail``)."""
    return html.unescape(text) if "&" in text else text


def terms(text: str, lang: str) -> list[tuple[str, int, int, int]]:
    """``(term, position, start, end)`` for every indexable word of ``text``.

    A compound ("php-fpm", "max_allowed_packet", "2.4.5") gives its parts and, at the
    position of its first part, the whole compound (hyphens dropped: "e-mail" -> "email").
    """
    st = stemmer(lang)
    out: list[tuple[str, int, int, int]] = []
    pos = 0
    for m in _WORD.finditer(text):
        word = m.group()
        start = m.start()
        if len(word) > 60:
            pos += len(_PARTS.findall(word))
            continue
        parts = list(_PARTS.finditer(word)) if not word.isalnum() else None
        if parts is None:
            term = st(word)
            if term:
                out.append((term, pos, start, m.end()))
            pos += 1
            continue
        first = pos
        for p in parts:
            term = st(p.group())
            if term:
                out.append((term, pos, start + p.start(), start + p.end()))
            pos += 1
        compound = fold(word.replace("-", ""))
        if len(compound) > 1:
            out.append((compound, first, start, m.end()))
    return out


def words(text: str) -> list[str]:
    """Surface words (lower case, unstemmed) for spelling correction."""
    return [w.lower() for w in _PARTS.findall(text)]


class KbAnalyzer(Analyzer):
    """A Whoosh analyzer for one language, built on :func:`terms`. Picklable (the schema is)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def __eq__(self, other) -> bool:
        return isinstance(other, KbAnalyzer) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(("KbAnalyzer", self.lang))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for term, pos, start, end in terms(clean(value), self.lang):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t
