"""Lexicon files and the one Aho-Corasick automaton that finds all their entries in a message.

A lexicon file has one entry a line (`#` starts a comment). In `stem` mode an entry matches words that
begin with it, in `word` mode whole words only. Markers override the mode for one line:
  `=word`  the whole word only          `~root`  the root, alone or after one of the file's prefixes
  `*part`  anywhere inside a word       `@prefixes за вы у ...`  the prefixes that the `~` entries
                                         below it take (until the next `@prefixes` line)
An entry may hold several words (`пиши в лс`); punctuation between the member's words does not matter.
Entries go through the same normalization as messages, so `ёб` and `еб`, `ссылка` and `сылка` are one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from policies.normalize import Normalized, Normalizer

MODES = ("stem", "word")


@dataclass(frozen=True, slots=True)
class Entry:
    lexicon: str
    written: str  # as the admin wrote it
    line: int
    kind: str  # exact | stem | root | part
    body: str  # normalized
    prefixes: tuple[str, ...] = ()  # for roots


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    start: int  # normalized offsets, widened to whole words
    end: int
    first_token: int
    last_token: int


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
        kind = {"=": "exact", "~": "root", "*": "part"}.get(marker)
        body_text = line[1:].strip() if kind else line
        kind = kind or ("stem" if mode == "stem" else "exact")
        body = _normalize_entry(body_text, normalizer)
        if not body:
            problems.append(LexiconProblem(number, f"entry {raw.strip()!r} has no letters"))
            continue
        entries.append(Entry(name, raw.strip(), number, kind, body, prefixes if kind == "root" else ()))
    return entries, problems


def _normalize_entry(text: str, normalizer: Normalizer) -> str:
    return " ".join(token.text for token in normalizer(text).tokens)


class LexiconIndex:
    """All lexicons of a policy in one automaton: one pass over a message finds every entry."""

    def __init__(self, lexicons: dict[str, list[Entry]]) -> None:
        self._automaton = ahocorasick.Automaton()
        keys: dict[str, list[tuple[Entry, bool]]] = {}
        self._mask_targets: dict[str, list[Entry]] = {}
        for name, entries in lexicons.items():
            for entry in entries:
                for key in _keys(entry):
                    keys.setdefault(key, []).append((entry, key.startswith(" ")))
                self._mask_targets.setdefault(name, []).append(entry)
        for key, values in keys.items():
            self._automaton.add_word(key, (len(key), tuple(values)))
        self.empty = not keys
        if not self.empty:
            self._automaton.make_automaton()

    def scan(self, norm: Normalized) -> dict[str, list[Hit]]:
        """Every hit of every lexicon, grouped by lexicon name; one hit per entry and word."""
        found: dict[str, list[Hit]] = {}
        if self.empty or not norm.tokens:
            return found
        joined = norm.joined
        seen: set[tuple[str, int, int]] = set()
        for end, (length, values) in self._automaton.iter(joined.text):
            start = end - length + 1
            for entry, padded in values:
                first = joined.token_of(start + 1 if padded else start)
                last = joined.token_of(end - 1 if joined.text[end] == " " else end)
                mark = (entry.lexicon, first, last)
                if mark in seen:
                    continue
                seen.add(mark)
                tokens = norm.tokens
                found.setdefault(entry.lexicon, []).append(
                    Hit(entry, tokens[first].start, tokens[last].end, first, last)
                )
        if "*" in norm.text:
            self._scan_masked(norm, found)
        return found

    def _scan_masked(self, norm: Normalized, found: dict[str, list[Hit]]) -> None:
        """`х*й`, `п***ц`, `f**k`: a word whose hidden letters make a lexicon word."""
        for index, token in enumerate(norm.tokens):
            if "*" not in token.text or sum(c.isalpha() for c in token.text) < 2:
                continue
            pattern = _mask_pattern(token.text)
            for name, entries in self._mask_targets.items():
                entry = next((e for e in entries if e.kind != "part" and pattern.fullmatch(e.body)), None)
                if entry is not None:
                    found.setdefault(name, []).append(Hit(entry, token.start, token.end, index, index))


def _keys(entry: Entry) -> list[str]:
    body = entry.body
    if entry.kind == "exact":
        return [f" {body} "]
    if entry.kind == "stem":
        return [f" {body}"]
    if entry.kind == "root":
        return [f" {body}"] + [f" {prefix}{body}" for prefix in entry.prefixes]
    return [body]


def _mask_pattern(token: str) -> re.Pattern[str]:
    parts = re.split(r"(\*+)", token)
    return re.compile(
        "".join(f"\\w{{1,{len(p) + 2}}}" if p.startswith("*") else re.escape(p) for p in parts if p)
    )
