"""One word's folded form: digits and symbols read as letters, lookalike letters folded towards the word's
own script, repeated letters squeezed. Words repeat across messages, so each is folded once and cached."""

from __future__ import annotations

from policies.confusables import CYRILLIC_TO_LATIN, LATIN_TO_CYRILLIC, LEET_CYRILLIC, LEET_LATIN, TO_CYRILLIC

_CACHE = 200_000

# A folded word and, per output letter, the first and last input letter it stands for.
FoldedWord = tuple[str, tuple[int, ...], tuple[int, ...]]


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin(ch: str) -> bool:
    return "a" <= ch <= "z"


class WordFolder:
    def __init__(self, steps: frozenset[str]) -> None:
        self.leet = "leet" in steps
        self.confusables = "fold_confusables" in steps
        self.squeeze = "squeeze_repeats" in steps
        self.same: set[str] = set()  # words that fold to themselves: most of them
        self._changed: dict[str, FoldedWord] = {}

    def fold(self, word: str) -> FoldedWord | None:
        """The word's folded form, or None when folding leaves it as it is."""
        if word in self.same:
            return None
        folded = self._changed.get(word)
        if folded is None:
            if len(self.same) + len(self._changed) >= _CACHE:
                self.same.clear()
                self._changed.clear()
            folded = self._fold(word)
            if folded is None:
                self.same.add(word)
            else:
                self._changed[word] = folded
        return folded

    def _fold(self, word: str) -> FoldedWord | None:
        chars = list(word)
        cyrillic = sum(1 for c in chars if _is_cyrillic(c))
        latin = sum(1 for c in chars if _is_latin(c))
        script = _script(chars, cyrillic, latin)
        if self.leet and script:
            chars = _leet(chars, script, cyrillic + latin)
        if self.confusables and script:
            table = TO_CYRILLIC if script == "cyrillic" else CYRILLIC_TO_LATIN
            chars = [table.get(c, c) for c in chars]
        first = last = tuple(range(len(chars)))
        if self.squeeze:
            chars, first, last = _squeeze(chars)
        text = "".join(chars)
        return None if text == word else (text, first, last)


def _script(chars: list[str], cyrillic: int, latin: int) -> str | None:
    if not cyrillic and not latin:
        return None
    if not cyrillic:
        return "latin"
    if not latin:
        return "cyrillic"
    # Mixed: the letters that have no lookalike in the other script decide.
    own_cyr = sum(1 for c in chars if _is_cyrillic(c) and c not in CYRILLIC_TO_LATIN)
    own_lat = sum(1 for c in chars if _is_latin(c) and c not in LATIN_TO_CYRILLIC)
    if own_cyr != own_lat:
        return "cyrillic" if own_cyr > own_lat else "latin"
    return "cyrillic"  # only lookalikes (мec, тex): Cyrillic, the script a member here disguises


def _leet(chars: list[str], script: str, letters: int) -> list[str]:
    """Digits and symbols used as letters, only inside words that are mostly letters, so that `100к`, `4G`
    and prices stay numbers."""
    table = LEET_CYRILLIC if script == "cyrillic" else LEET_LATIN
    symbols = sum(1 for c in chars if c in table)
    if not symbols or letters < 2 or symbols >= letters:
        return chars
    return [table.get(c, c) for c in chars]


def _squeeze(chars: list[str]) -> tuple[list[str], tuple[int, ...], tuple[int, ...]]:
    out: list[str] = []
    first: list[int] = []
    last: list[int] = []
    for index, c in enumerate(chars):
        if out and out[-1] == c and c.isalpha():
            last[-1] = index  # the kept letter now stands for the whole run
            continue
        out.append(c)
        first.append(index)
        last.append(index)
    return out, tuple(first), tuple(last)
