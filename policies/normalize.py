"""Normalization of a message for matching, with a map from every normalized character back to the
original text, so that each finding can quote exactly what the member wrote.

Hand-written on purpose: no library keeps offsets through NFKC, lookalike folding, leet and letter joining
at once, and the steps are small table lookups. The tables are data, in `confusables.py`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from policies.confusables import (
    CYRILLIC_TO_LATIN,
    INVISIBLE,
    LATIN_TO_CYRILLIC,
    LEET_CYRILLIC,
    LEET_LATIN,
)

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
_TOKEN_CACHE = 200_000
_SEPARATED = re.compile(r"(?<![\w@$*])\w([ .\-_*·•/]{1,2})\w(?:\1\w)+(?![\w@$*])")
# Text made only of these characters folds one character to one character by `str.lower()` alone (NFKC
# and casefold change none of them, none is invisible or combining): most messages, folded in C.
_PLAIN = re.compile(r"[\t\n\r\x20-\x7e\u0400-\u045f\u0490\u0491«»—–…№]*")


_FoldedToken = tuple[str, tuple[int, ...], tuple[int, ...]] | tuple[str, None, None]


class Token(NamedTuple):  # a tuple: built for every word of every message
    text: str
    start: int  # in the normalized text
    end: int


@dataclass(slots=True)
class Normalized:
    original: str
    text: str
    starts: list[int] | None  # original offset where each normalized character begins; None: the same
    ends: list[int] | None  # original offset where it ends (exclusive); None: the same
    tokens: list[Token]
    _joined: Joined | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced normalized[start:end]."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]

    @property
    def joined(self) -> Joined:
        """Tokens joined by single spaces, padded with a space at each end: the one string that
        lexicons search, so punctuation between words never hides a phrase."""
        if self._joined is None:
            starts = []
            offset = 1
            for token in self.tokens:
                starts.append(offset)
                offset += token.end - token.start + 1
            text = " " + " ".join(t.text for t in self.tokens) + " "
            self._joined = Joined(text, starts)
        return self._joined


@dataclass(frozen=True, slots=True)
class Joined:
    text: str
    starts: list[int]  # where each token begins in `text`

    def token_of(self, offset: int) -> int:
        """The token at an offset of `text`; a space belongs to the word before it."""
        return max(bisect_right(self.starts, offset) - 1, 0)


@lru_cache(maxsize=8192)
def _fold_char(ch: str, steps: frozenset[str]) -> str:
    if "strip_invisible" in steps and (ch in INVISIBLE or unicodedata.category(ch) == "Cf"):
        return ""
    out = unicodedata.normalize("NFKC", ch) if "nfkc" in steps else ch
    if "casefold" in steps:
        out = out.casefold()
    if "fold_yo" in steps:
        out = out.replace("ё", "е")
    return out


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin(ch: str) -> bool:
    return "a" <= ch <= "z"


class Normalizer:
    """A declared profile: which steps run. Build once per policy, call per message."""

    def __init__(self, steps: tuple[str, ...] = ALL_STEPS) -> None:
        unknown = set(steps) - set(ALL_STEPS)
        if unknown:
            raise ValueError(f"unknown normalization steps: {sorted(unknown)}")
        self.steps = frozenset(steps)
        self._tokens: dict[str, _FoldedToken] = {}

    def __call__(self, text: str) -> Normalized:
        return self._plain(text) or self._general(text)

    def _plain(self, text: str) -> Normalized | None:
        """Most messages: plain letters and punctuation, folded by `str.lower()` one character to one. Only
        the words that folding shortens (squeezed repeats) need an offset map, built as they come."""
        if not (_PLAIN.fullmatch(text) and {"strip_invisible", "nfkc", "casefold"} <= self.steps):
            return None
        folded = text.lower().replace("ё", "е") if "fold_yo" in self.steps else text.lower()
        if "join_spaced_letters" in self.steps and _SEPARATED.search(folded):
            return None
        cached = self._tokens.get
        tokens = []
        pieces = []
        cursor = 0  # in `folded`: copied into `pieces` up to here
        shift = 0  # how much shorter the output is than `folded` so far
        starts: list[int] | None = None
        ends: list[int] = []
        for match in _TOKEN.finditer(folded):
            raw = match.group()
            word, first, last = cached(raw) or self._fold_token_cached(raw)
            a, b = match.span()
            if word != raw:
                pieces += (folded[cursor:a], word)
                cursor = b
            if first is None or last is None:
                tokens.append(Token(word, a - shift, b - shift))
                continue
            if starts is None:
                starts, ends = [], []
            mapped = len(starts) + shift  # the offset lists cover `folded` up to here
            starts.extend(range(mapped, a))
            ends.extend(range(mapped + 1, a + 1))
            begin = len(starts)
            starts.extend(a + i for i in first)
            ends.extend(a + i + 1 for i in last)
            shift += (b - a) - len(word)
            tokens.append(Token(word, begin, begin + len(word)))
        if pieces:
            folded = "".join(pieces) + folded[cursor:]
        if starts is not None:
            mapped = len(starts) + shift
            starts.extend(range(mapped, len(text)))
            ends.extend(range(mapped + 1, len(text) + 1))
        return Normalized(text, folded, starts, ends if starts is not None else None, tokens)

    def _general(self, text: str) -> Normalized:
        chars, starts, ends = self._fold(text)
        if "join_spaced_letters" in self.steps:
            chars, starts, ends = self._join_spaced(chars, starts, ends)
        folded = "".join(chars)
        words = [(*m.span(), self._fold_token_cached(m.group())) for m in _TOKEN.finditer(folded)]
        return self._rebuild(text, chars, starts, ends, words)

    @staticmethod
    def _rebuild(
        text: str,
        chars: list[str],
        starts: list[int],
        ends: list[int],
        words: list[tuple[int, int, _FoldedToken]],
    ) -> Normalized:
        tokens: list[Token] = []
        out_chars: list[str] = []
        out_starts: list[int] = []
        out_ends: list[int] = []
        cursor = 0
        for a, b, (word, first, last) in words:
            out_chars.extend(chars[cursor:a])
            out_starts.extend(starts[cursor:a])
            out_ends.extend(ends[cursor:a])
            if word:
                begin = len(out_chars)
                out_chars.extend(word)
                if first is None or last is None:  # folding kept every letter in place
                    out_starts.extend(starts[a:b])
                    out_ends.extend(ends[a:b])
                else:
                    out_starts.extend(starts[a + i] for i in first)
                    out_ends.extend(ends[a + i] for i in last)
                tokens.append(Token(word, begin, len(out_chars)))
            cursor = b
        out_chars.extend(chars[cursor:])
        out_starts.extend(starts[cursor:])
        out_ends.extend(ends[cursor:])
        return Normalized(text, "".join(out_chars), out_starts, out_ends, tokens)

    def _fold_token_cached(self, token: str) -> _FoldedToken:
        """A word's folded form with, per output letter, the first and last input letter it stands for
        (None when every letter stayed in place). Members' vocabulary repeats, so this is cached per word:
        the hot path of the whole engine."""
        cached = self._tokens.get(token)
        if cached is None:
            local = list(range(len(token)))
            chars, first, last = self._fold_token(list(token), local, list(local))
            if first == local and last == local:
                cached = ("".join(chars), None, None)
            else:
                cached = ("".join(chars), tuple(first), tuple(last))
            if len(self._tokens) >= _TOKEN_CACHE:
                self._tokens.clear()
            self._tokens[token] = cached
        return cached

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
            folded = _fold_char(ch, steps)
            for piece in folded:
                chars.append(piece)
                starts.append(index)
                ends.append(index + 1)
        return chars, starts, ends

    def _join_spaced(
        self, chars: list[str], starts: list[int], ends: list[int]
    ) -> tuple[list[str], list[int], list[int]]:
        """`б л я т ь`, `х.у.й`, `с-у-к-а` -> one word. Only runs of three or more single letters,
        so ordinary one-letter words (в, и, с, a, I) in a sentence stay as they are."""
        text = "".join(chars)
        if not _SEPARATED.search(text):
            return chars, starts, ends
        keep = [True] * len(chars)
        for match in _SEPARATED.finditer(text):
            for offset in range(match.start(), match.end()):
                if not chars[offset].isalnum() and chars[offset] not in "@$":
                    keep[offset] = False
        out = [(c, s, e) for c, s, e, k in zip(chars, starts, ends, keep, strict=True) if k]
        return [c for c, _, _ in out], [s for _, s, _ in out], [e for _, _, e in out]

    def _fold_token(
        self, chars: list[str], starts: list[int], ends: list[int]
    ) -> tuple[list[str], list[int], list[int]]:
        chars, starts, ends = list(chars), list(starts), list(ends)
        cyrillic = sum(1 for c in chars if _is_cyrillic(c))
        latin = sum(1 for c in chars if _is_latin(c))
        script = self._script(chars, cyrillic, latin)
        if "leet" in self.steps and script:
            chars, starts, ends = self._leet(chars, starts, ends, script, cyrillic + latin)
        if "fold_confusables" in self.steps and script:
            table = LATIN_TO_CYRILLIC if script == "cyrillic" else CYRILLIC_TO_LATIN
            chars = [table.get(c, c) for c in chars]
        if "squeeze_repeats" in self.steps:
            chars, starts, ends = self._squeeze(chars, starts, ends)
        return chars, starts, ends

    @staticmethod
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
        return "cyrillic" if cyrillic >= latin else "latin"

    @staticmethod
    def _leet(
        chars: list[str], starts: list[int], ends: list[int], script: str, letters: int
    ) -> tuple[list[str], list[int], list[int]]:
        """Digits and symbols used as letters, only inside words that are mostly letters, so that
        `100к`, `4G` and prices stay numbers."""
        table = LEET_CYRILLIC if script == "cyrillic" else LEET_LATIN
        symbols = sum(1 for c in chars if c in table)
        if not symbols or letters < 2 or symbols >= letters:
            return chars, starts, ends
        return [table.get(c, c) for c in chars], starts, ends

    @staticmethod
    def _squeeze(
        chars: list[str], starts: list[int], ends: list[int]
    ) -> tuple[list[str], list[int], list[int]]:
        out_c: list[str] = []
        out_s: list[int] = []
        out_e: list[int] = []
        for c, s, e in zip(chars, starts, ends, strict=True):
            if out_c and out_c[-1] == c and c.isalpha():
                out_e[-1] = e  # the kept letter now stands for the whole run
                continue
            out_c.append(c)
            out_s.append(s)
            out_e.append(e)
        return out_c, out_s, out_e
