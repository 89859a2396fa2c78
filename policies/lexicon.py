"""Lexicon files and the one Aho-Corasick automaton that finds all their entries in a message.

A lexicon file has one entry a line (`#` starts a comment). In `stem` mode an entry matches words that
begin with it, in `word` mode whole words only. Markers override the mode for one line:
  `=word`  the whole word only          `~root`  the root, alone or after one of the file's prefixes
  `*part`  anywhere inside a word       `@prefixes за вы у ...`  the prefixes that the `~` entries
  `!words` a phrase that excuses the     below it take (until the next `@prefixes` line)
           file's entries inside it (`!не дурак`: "я не дурак, чтобы платить")
An entry may hold several words (`пиши в лс`); punctuation between the member's words does not matter.
Entries go through the same normalization as messages, so `ёб` and `еб`, `ссылка` and `сылка` are one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from policies.masks import HINTS as MASK_HINTS
from policies.masks import fits, masked_words
from policies.normalize import Normalized, Normalizer

MODES = ("stem", "word")
_PREPOSITIONS = frozenset("вксз")
# Reading a masked word against every entry costs about 0.1 ms: a message is read for this many at most.
_MOST_MASKED = 16


@dataclass(frozen=True, slots=True)
class Entry:
    lexicon: str
    written: str  # as the admin wrote it
    line: int
    kind: str  # exact | stem | root | part | veto
    body: str  # normalized
    prefixes: tuple[str, ...] = ()  # for roots


class Hit(NamedTuple):  # a tuple: several are built for most messages
    entry: Entry
    first_token: int
    last_token: int
    norm: Normalized
    span: tuple[int, int] | None = None  # else the span of the words, worked out when asked for
    masked: bool = False  # read from a self-censored word (`х*й`)

    @property
    def start(self) -> int:
        """Normalized offset, widened to whole words."""
        return self.span[0] if self.span else self.norm.bounds[self.first_token]

    @property
    def end(self) -> int:
        return self.span[1] if self.span else self.norm.word_span(self.first_token, self.last_token)[1]


MaskTarget = tuple[Entry, str, int]  # an entry, one of its one-word forms, where its root begins


@dataclass(frozen=True, slots=True)
class LexiconProblem:
    line: int
    message: str


def parse_lexicon(
    text: str, name: str, mode: str, normalizer: Normalizer
) -> tuple[list[Entry], list[LexiconProblem]]:
    """The entries and the problems found (with line numbers)."""
    entries: list[Entry] = []
    prefixes: tuple[str, ...] = ()
    problems: list[LexiconProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@prefixes"):
            prefixes = tuple(_normalize_entry(p, normalizer) for p in line.split()[1:])
            continue
        marker = line[0]
        kind = {"=": "exact", "~": "root", "*": "part", "!": "veto"}.get(marker)
        body_text = line[1:].strip() if kind else line
        kind = kind or ("stem" if mode == "stem" else "exact")
        body = _normalize_entry(body_text, normalizer)
        if not body:
            problems.append(LexiconProblem(number, f"entry {raw.strip()!r} has no letters"))
            continue
        entries.append(Entry(name, raw.strip(), number, kind, body, prefixes if kind == "root" else ()))
    return entries, problems


def _normalize_entry(text: str, normalizer: Normalizer) -> str:
    return " ".join(normalizer(text).words)


class LexiconIndex:
    """All lexicons of a policy in one automaton: one pass over a message finds every entry."""

    def __init__(self, lexicons: dict[str, list[Entry]]) -> None:
        self._automaton = ahocorasick.Automaton()
        keys: dict[str, list[Entry]] = {}
        # What a self-censored word is compared with: each entry's one-word forms, with where the root begins,
        # by lexicon and first letter ("" for `part` entries, which may begin anywhere in the word).
        self._mask_targets: dict[str, dict[str, list[MaskTarget]]] = {}
        for name, entries in lexicons.items():
            for entry in entries:
                for key in _keys(entry):
                    keys.setdefault(key, []).append(entry)
                if " " in entry.body or entry.kind == "veto":
                    continue
                by_letter = self._mask_targets.setdefault(name, {})
                for body, root in [(entry.body, 0)] + [(p + entry.body, len(p)) for p in entry.prefixes]:
                    letter = "" if entry.kind == "part" else body[0]
                    by_letter.setdefault(letter, []).append((entry, body, root))
        for key, values in keys.items():
            self._automaton.add_word(key, (len(key), key.startswith(" "), tuple(values)))
        self.empty = not keys
        if not self.empty:
            self._automaton.make_automaton()

    def scan(self, norm: Normalized) -> dict[str, list[Hit]]:
        """Every hit of every lexicon, grouped by lexicon name; one hit per lexicon and span of words, less
        those that a `!` phrase of their own lexicon excuses."""
        found: dict[str, list[Hit]] = {}
        if self.empty or not norm.words:
            return found
        joined = norm.joined
        count = joined.count  # a word's index is the number of spaces before it, less the padding one
        seen: set[tuple[str, int, int]] = set()
        vetoes: list[tuple[str, int, int]] = []
        for end, (length, padded, entries) in self._automaton.iter(joined):
            first = count(" ", 0, end - length + 1 + padded) - 1
            last = count(" ", 0, end) - 1
            for entry in entries:
                mark = (entry.lexicon, first, last)
                if entry.kind == "veto":
                    vetoes.append(mark)
                elif mark not in seen:
                    seen.add(mark)
                    found.setdefault(entry.lexicon, []).append(Hit(entry, first, last, norm))
        if norm.spaced:
            self._scan_swallowed(norm, found, seen)
        if any(map(norm.text.__contains__, MASK_HINTS)):
            self._scan_masked(norm, found)
        for lexicon, first, last in vetoes:
            kept = [h for h in found.get(lexicon, ()) if h.masked or not first <= h.first_token <= last]
            if kept:
                found[lexicon] = kept
            else:
                found.pop(lexicon, None)
        return found

    def _scan_swallowed(
        self, norm: Normalized, found: dict[str, list[Hit]], seen: set[tuple[str, int, int]]
    ) -> None:
        """`д е б и л ы в поддержке`: a spaced-out word may have swallowed the one-letter preposition after
        it (в, к, с, з), so it is read once more without its last letter."""
        for index in norm.spaced:
            word = norm.words[index]
            if index + 1 == len(norm.words) or len(word) < 4 or word[-1] not in _PREPOSITIONS:
                continue
            start, stop = norm.word_span(index, index)
            for _, (_, padded, entries) in self._automaton.iter(f" {word[:-1]} "):
                for entry in entries:
                    if padded and entry.kind != "veto" and (entry.lexicon, index, index) not in seen:
                        seen.add((entry.lexicon, index, index))
                        hit = Hit(entry, index, index, norm, (start, stop - 1))
                        found.setdefault(entry.lexicon, []).append(hit)

    def _scan_masked(self, norm: Normalized, found: dict[str, list[Hit]]) -> None:
        """`х*й`, `п***ц`, `f**k`, `бл..ть`: a word whose hidden letters make a lexicon word. When the word
        spells some entry out whole (`д*бил`: дебил), only whole-word readings count (not `до*б…`)."""
        for word in masked_words(norm)[:_MOST_MASKED]:
            first = max(bisect_right(norm.bounds, word.start) - 1, 0)
            last = max(bisect_right(norm.bounds, word.end - 1) - 1, 0)
            readings = {
                name: [
                    e
                    for e, body, root in _candidates(by_letter, word.cells)
                    if word.may_be(body, e.kind) and fits(word.cells, body, root, e.kind)
                ]
                for name, by_letter in self._mask_targets.items()
            }
            if any(e.kind == "exact" for entries in readings.values() for e in entries):
                readings = {name: [e for e in es if e.kind == "exact"] for name, es in readings.items()}
            for name, entries in readings.items():
                if entries:
                    hit = Hit(entries[0], first, last, norm, (word.start, word.end), masked=True)
                    found.setdefault(name, []).append(hit)


def _candidates(
    by_letter: dict[str, list[MaskTarget]], cells: tuple[str | tuple[int, int], ...]
) -> list[MaskTarget]:
    """The targets a masked word may be: those that begin with its first letter, and `part` entries."""
    if isinstance(cells[0], str):
        return by_letter.get(cells[0], []) + by_letter.get("", [])
    return [target for targets in by_letter.values() for target in targets]


def _keys(entry: Entry) -> list[str]:
    body = entry.body
    if entry.kind == "exact":
        return [f" {body} "]
    if entry.kind in ("stem", "veto"):
        return [f" {body}"]
    if entry.kind == "root":
        return [f" {body}"] + [f" {prefix}{body}" for prefix in entry.prefixes]
    return [body]
