"""Typo correction from the index's own vocabulary ("pasword" -> "password").

Symmetric delete: every word of the vocabulary and every query word is reduced by one
character; two words sharing a reduction are one edit apart (insertion, deletion,
substitution or swap of neighbours). Among candidates the most frequent word wins, so the
help center's own words are preferred. Built once per index generation.
"""

from __future__ import annotations

from collections import defaultdict

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, for ties only."""
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class Corrector:
    """Suggest the closest known word for an unknown one."""

    def __init__(self, frequencies: dict[str, int], min_length: int = 4) -> None:
        self.freq = frequencies
        self.min_length = min_length
        self._index: dict[str, list[str]] | None = None

    @property
    def index(self) -> dict[str, list[str]]:
        if self._index is None:
            idx: dict[str, list[str]] = defaultdict(list)
            for w in self.freq:
                if len(w) >= self.min_length - 1:
                    for d in _deletes(w):
                        idx[d].append(w)
            self._index = dict(idx)
        return self._index

    def known(self, word: str) -> bool:
        return word in self.freq

    def correct(self, word: str) -> str | None:
        """The best known word one edit away (two for long words), or None."""
        if len(word) < self.min_length or word in self.freq or not word.isalpha():
            return None
        idx = self.index
        candidates: set[str] = set(idx.get(word, ()))  # word lacks a letter
        dels = _deletes(word)
        for d in dels:
            if d in self.freq:
                candidates.add(d)  # word has an extra letter
            candidates.update(idx.get(d, ()))  # substitution / swap
        if not candidates and len(word) >= 8:
            for d in dels:  # two edits, only for long words where that is still specific
                for d2 in _deletes(d):
                    candidates.update(idx.get(d2, ()))
            for i in range(len(word) + 1):  # two letters missing ("elascsearch")
                for ch in _LETTERS:
                    candidates.update(idx.get(word[:i] + ch + word[i:], ()))
        if not candidates:
            return None
        # at the same distance, a word made of the same letters wins over a more frequent
        # one: a doubled or dropped double letter ("stoped" -> "stopped", not "stored")
        letters = set(word)
        return min(
            candidates, key=lambda c: (_distance(word, c), set(c) != letters, -self.freq[c], c)
        )
