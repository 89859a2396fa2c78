"""A message after normalization: the normalized text, its words, and the way back to the original text.

Built for every message, so what only some messages need (word offsets, the joined form, the `Token` list)
is worked out on first use."""

from __future__ import annotations

from typing import NamedTuple


class Token(NamedTuple):
    text: str
    start: int  # in the normalized text
    end: int


# A word that folding shortened (`бляяять`): its span in the original text and, per letter it became,
# the first and last original letter it stands for, relative to the word's start.
Shrink = tuple[int, int, tuple[int, ...], tuple[int, ...]]


class Normalized:
    __slots__ = (
        "_bounds",
        "_ends",
        "_joined",
        "_shrinks",
        "_starts",
        "original",
        "plain",
        "spaced",
        "text",
        "words",
    )

    def __init__(
        self,
        original: str,
        text: str,
        words: list[str],
        *,
        starts: list[int] | None = None,
        ends: list[int] | None = None,
        bounds: list[int] | None = None,
        shrinks: list[Shrink] | None = None,
        plain: bool = False,
        spaced: frozenset[int] = frozenset(),
    ) -> None:
        self.original = original
        self.text = text
        self.words = words  # the normalized words, in order
        self.plain = plain  # only letters, digits and common punctuation: no emoji, no other scripts
        self.spaced = spaced  # the words that were written as spaced-out letters (`б л я т ь`)
        self._starts = starts  # original offset where each normalized character begins; None: the same
        self._ends = ends  # original offset where it ends (exclusive); None: the same
        self._shrinks = shrinks  # else the offsets are worked out from these when first asked for
        self._bounds = bounds
        self._joined: str | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced normalized[start:end]."""
        if self._shrinks:
            return self._through_shrinks(start, True), self._through_shrinks(end - 1, False)
        if self._starts is None or self._ends is None:
            return start, end
        return self._starts[start], self._ends[end - 1]

    def _through_shrinks(self, offset: int, begin: bool) -> int:
        """Where the normalized character at `offset` begins (or ends) in the original text, when the text
        maps letter for letter but for the words that shrank."""
        assert self._shrinks is not None
        shift = 0  # how much shorter the normalized text is than the original so far
        for a, b, first, last in self._shrinks:
            at = a - shift  # where the shrunk word begins in the normalized text
            if offset < at:
                break
            if offset < at + len(first):
                return a + (first[offset - at] if begin else last[offset - at] + 1)
            shift += (b - a) - len(first)
        return offset + shift + (0 if begin else 1)

    def quote(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]

    @property
    def bounds(self) -> list[int]:
        """Where each word begins in `text`."""
        if self._bounds is None:
            bounds = []
            find = self.text.find
            position = 0
            for word in self.words:
                position = find(word, position)  # only separators lie between two words
                bounds.append(position)
                position += len(word)
            self._bounds = bounds
        return self._bounds

    def word_span(self, first: int, last: int) -> tuple[int, int]:
        """The span of `text` from the start of word `first` to the end of word `last`."""
        bounds = self.bounds
        return bounds[first], bounds[last] + len(self.words[last])

    @property
    def tokens(self) -> list[Token]:
        pairs = zip(self.words, self.bounds, strict=True)
        return [Token(word, start, start + len(word)) for word, start in pairs]

    @property
    def joined(self) -> str:
        """The words joined by single spaces, padded with a space at each end: the one string that lexicons
        search, so punctuation between words never hides a phrase."""
        if self._joined is None:
            self._joined = " " + " ".join(self.words) + " "
        return self._joined
