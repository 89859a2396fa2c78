"""Normalization of a message for matching, with a map from every normalized character back to the
original text, so that each finding can quote exactly what the member wrote.

Hand-written on purpose: no library keeps offsets through NFKC, lookalike folding, leet and letter joining
at once, and the steps are small table lookups. The tables are data, in `confusables.py`; one word's
folding is in `wordfold.py`, the result type in `normalized.py`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from policies.confusables import EMOJI, HOMOGLYPHS, INVISIBLE
from policies.normalized import Normalized, Token
from policies.wordfold import FoldedWord, WordFolder

__all__ = ["ALL_STEPS", "Normalized", "Normalizer", "Token"]

ALL_STEPS = (
    "strip_invisible",
    "nfkc",
    "casefold",
    "fold_yo",
    "fold_confusables",
    "leet",
    "squeeze_repeats",
    "join_spaced_letters",
)
# Characters that may stand inside an obfuscated word: letters, digits and the symbols used as letters.
_TOKEN = re.compile(r"[\w@$]+(?:\*+[\w@$]+)*")
# Three or more single letters with one and the same separator between them.
# Emoji count as separators too: `к🎰а🎰з🎰и🎰н🎰о`.
_SEPARATED = re.compile(rf"(?<![\w@$*])\w([ .\-_*·•/{EMOJI}]{{1,2}})\w(?:\1\w)+(?![\w@$*])")
# Text made only of these characters folds one character to one character by `str.lower()` alone (NFKC
# and casefold change none of them, none is invisible or combining): most messages, folded in C.
_PLAIN = re.compile(r"[\t\n\r\x20-\x7e\u0400-\u045f\u0490\u0491«»—–…№]*")
# Of those, the ones that cannot stand inside a word (`*` too: it hides letters only between two of them),
# stripped from both ends of a piece between spaces.
_EDGES = "".join(
    c for c in "\t\n\r«»—–…№" + "".join(map(chr, range(0x20, 0x7F))) if not (c.isalnum() or c in "_@$")
)
_CHAR_STEPS = frozenset({"strip_invisible", "nfkc", "casefold"})


@lru_cache(maxsize=8192)
def _fold_char(ch: str, steps: frozenset[str]) -> str:
    if "strip_invisible" in steps and (ch in INVISIBLE or unicodedata.category(ch) == "Cf"):
        return ""
    out = unicodedata.normalize("NFKC", ch) if "nfkc" in steps else ch
    if len(out) > 1 and not ch.isalnum():
        out = ch  # a symbol that NFKC spells out (№ as No, ™ as TM) stays a symbol, not a word
    if "casefold" in steps:
        out = out.casefold()
    if "fold_yo" in steps:
        out = out.replace("ё", "е")
    if "fold_confusables" in steps:
        out = "".join(HOMOGLYPHS.get(c, c) for c in out)
    return out


class Normalizer:
    """A declared profile: which steps run. Build once per policy, call per message."""

    def __init__(self, steps: tuple[str, ...] = ALL_STEPS) -> None:
        unknown = set(steps) - set(ALL_STEPS)
        if unknown:
            raise ValueError(f"unknown normalization steps: {sorted(unknown)}")
        self.steps = frozenset(steps)
        self._words = WordFolder(self.steps)
        self._plain_ok = self.steps >= _CHAR_STEPS
        self._yo = "fold_yo" in self.steps
        self._join = "join_spaced_letters" in self.steps

    def __call__(self, text: str) -> Normalized:
        return self._plain(text) or self._general(text)

    def _plain(self, text: str) -> Normalized | None:
        """Most messages: plain letters and punctuation, folded by `str.lower()` one character to one. When
        every word folds to itself (one set lookup, in C) that is all; else only the words that fold to
        something else are looked at, and offsets are mapped only where a word shrinks (squeezed repeats)."""
        if not (self._plain_ok and _PLAIN.fullmatch(text)):
            return None
        folded = text.lower().replace("ё", "е") if self._yo else text.lower()
        words = _split_words(folded)
        if self._join and _may_be_spaced(folded, words) and _SEPARATED.search(folded):
            return None
        if self._words.same.issuperset(words):
            return Normalized(text, folded, words, plain=True)
        return self._refold_plain(text, folded, words)

    def _refold_plain(self, text: str, folded: str, raw_words: list[str]) -> Normalized:
        """Plain text where some words fold to something else: only those are looked at."""
        same = self._words.same
        words = list(raw_words)
        pieces: list[str] = []
        shrinks = []
        cursor = 0  # in `folded`: copied into `pieces` up to here
        for index in [i for i, raw in enumerate(raw_words) if raw not in same]:
            raw = raw_words[index]
            change = self._words.fold(raw)
            if change is None:
                continue
            word, first, last = change
            words[index] = word
            a = _find_word(folded, raw, cursor)
            b = a + len(raw)
            pieces += (folded[cursor:a], word)
            cursor = b
            if len(word) < b - a:
                shrinks.append((a, b, first, last))
        out = "".join(pieces) + folded[cursor:]
        return Normalized(text, out, words, shrinks=shrinks, plain=True)

    def _general(self, text: str) -> Normalized:
        chars, starts, ends = self._fold(text)
        runs: set[int] = set()
        if self._join:
            chars, starts, ends, runs = _join_spaced(chars, starts, ends)
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer("".join(chars))]
        refolded = [self._words.fold("".join(chars[a:b])) for a, b in spans]
        out_chars: list[str] = []
        out_starts: list[int] = []
        out_ends: list[int] = []
        words: list[str] = []
        bounds: list[int] = []
        spaced: set[int] = set()
        cursor = 0
        for (a, b), folded in zip(spans, refolded, strict=True):
            out_chars.extend(chars[cursor:a])
            out_starts.extend(starts[cursor:a])
            out_ends.extend(ends[cursor:a])
            cursor = b
            word, first, last = folded or _unchanged(chars[a:b])
            if starts[a] in runs:
                spaced.add(len(words))
            words.append(word)
            bounds.append(len(out_chars))
            out_chars.extend(word)
            out_starts.extend(starts[a + i] for i in first)
            out_ends.extend(ends[a + i] for i in last)
        out_chars.extend(chars[cursor:])
        out_starts.extend(starts[cursor:])
        out_ends.extend(ends[cursor:])
        return Normalized(
            text,
            "".join(out_chars),
            words,
            starts=out_starts,
            ends=out_ends,
            bounds=bounds,
            spaced=frozenset(spaced),
        )

    def _fold(self, text: str) -> tuple[list[str], list[int], list[int]]:
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        steps = self.steps
        for index, ch in enumerate(text):
            if unicodedata.combining(ch) and chars:
                # A combining mark after a letter: compose it (и + ̆ = й) or drop it (decoration).
                composed = unicodedata.normalize("NFC", chars[-1] + ch)
                if len(composed) == 1:
                    chars[-1] = composed
                    ends[-1] = index + 1
                continue
            for piece in _fold_char(ch, steps):
                chars.append(piece)
                starts.append(index)
                ends.append(index + 1)
        return chars, starts, ends


def _unchanged(chars: list[str]) -> FoldedWord:
    positions = tuple(range(len(chars)))
    return "".join(chars), positions, positions


def _find_word(text: str, word: str, start: int) -> int:
    """Where `word` stands as a whole word in `text`, from `start` on (not inside a longer word)."""
    at = text.find(word, start)
    while at != -1 and (
        (at > 0 and _is_word_char(text[at - 1]))
        or (at + len(word) < len(text) and _is_word_char(text[at + len(word)]))
    ):
        at = text.find(word, at + 1)
    return at


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_@$*"


def _split_words(text: str) -> list[str]:
    """`_TOKEN.findall(text)` for plain text, in fewer steps: most pieces between spaces are a word as they
    are, or once the punctuation at their ends is stripped."""
    words = []
    for piece in text.split():
        if piece.isalnum():
            words.append(piece)
            continue
        core = piece.strip(_EDGES)
        if core.isalnum():
            words.append(core)
        elif core:
            words.extend(_TOKEN.findall(core))
    return words


def _may_be_spaced(folded: str, words: list[str]) -> bool:
    """A cheap test before `_SEPARATED`: three single letters in a row, or a `_`/`*` that may join some."""
    if "*" in folded or "_" in folded:
        return True
    run = 0
    for word in words:
        run = run + 1 if len(word) == 1 else 0
        if run == 3:
            return True
    return False


def _join_spaced(
    chars: list[str], starts: list[int], ends: list[int]
) -> tuple[list[str], list[int], list[int], set[int]]:
    """`б л я т ь`, `х.у.й`, `с-у-к-а` -> one word. Only runs of three or more single letters, so ordinary
    one-letter words (в, и, с, a, I) in a sentence stay as they are. Also returns where each run begins in
    the original text."""
    text = "".join(chars)
    runs = {starts[m.start()] for m in _SEPARATED.finditer(text)}
    if not runs:
        return chars, starts, ends, runs
    keep = [True] * len(chars)
    for match in _SEPARATED.finditer(text):
        for offset in range(match.start(), match.end()):
            if not chars[offset].isalnum() and chars[offset] not in "@$":
                keep[offset] = False
    out = [(c, s, e) for c, s, e, k in zip(chars, starts, ends, keep, strict=True) if k]
    return [c for c, _, _ in out], [s for _, s, _ in out], [e for _, _, e in out], runs
