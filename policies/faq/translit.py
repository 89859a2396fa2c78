"""Russian written in Latin letters ("kak uznat balans", "rouming kak vkluchit") back in Cyrillic, so that
triage, matching and the answer's language treat it as the Russian it is. cyrtranslit does the letters
("zh" -> "ж", "ya" -> "я"); what is left to decide is whether a Latin message is Russian at all, and which
Cyrillic spelling each word stands for.

A word reads as Russian when one of its Cyrillic spellings is a word pymorphy3's dictionary knows. Latin
spellings drop the soft sign ("skolko", "uznat") and blur letters that cyrtranslit must pick one of: "i"
and "y" are и, ы or й ("kakoi", "chtoby", "propisivat"), "sh" is ш or щ ("obeshanniy"), "u" is у or ю
("vkluchit"). Each word is tried with up to two such changes and one soft sign, fewest first, and written in
the first spelling the dictionary knows: the matcher sees "обещанный" where cyrtranslit gives "обешанний".

A message is Russian when more of its words read as Russian than as English: a word is English when the
glossary knows it (a key or a stop word: "how", "check", "balance", "data"). Brand names and typos count
for neither. Two Russian words at least: a lone "tam" or "net" in an English message is not a translation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import combinations, product

import cyrtranslit

from policies.faq.words import morphology

_CYRILLIC = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)
_LATIN_LETTERS = re.compile(r"[a-z]+", re.IGNORECASE)
# "y" that is no "ya", "yu", "yo", "ye": й after a vowel ("kakoy"), ы after a consonant ("chtoby", "vy"),
# where cyrtranslit writes и.
_Y_AFTER_VOWEL = re.compile(r"(?<=[aeiou])y(?![aeiou])")
_Y = re.compile(r"y(?![aeiou])")
_LEAST_RUSSIAN = 2
_SOFTENED = frozenset("бвдзлмнпрстфцчш")  # consonants a soft sign follows ("pomoch", "mozhesh")
# A letter cyrtranslit writes, and what else it may stand for.
_BLURRED = {"и": "ый", "ы": "ий", "й": "иы", "ш": "щ", "у": "ю"}
_CHANGES = 2  # letters changed at most in one word: enough for "propisivat", few enough to stay fast


class Translit:
    def __init__(self, english: Callable[[str], bool]) -> None:
        self._english = english
        self._ru = morphology("ru")
        self._reading = lru_cache(maxsize=16384)(self._read)

    def __call__(self, text: str) -> str:
        """`text` in Cyrillic when it is Russian in Latin letters, else `text` unchanged."""
        if _CYRILLIC.search(text):
            return text
        english = russian = 0
        for word in _LATIN_WORD.findall(text.casefold()):
            if self._english(word):
                english += 1
            elif self._reading(word) is not None:
                russian += 1
        if russian < _LEAST_RUSSIAN or russian <= english:
            return text
        return _LATIN_LETTERS.sub(self._spelled, text)

    def _spelled(self, match: re.Match[str]) -> str:
        word = match.group(0)
        reading = self._reading(word.casefold())
        if reading is None:
            return cyrtranslit.to_cyrillic(word, "ru")
        return reading.upper() if word.isupper() else reading.capitalize() if word[0].isupper() else reading

    def _read(self, word: str) -> str | None:
        """The first Cyrillic spelling of `word` that is a dictionary word, or None."""
        latin = _Y.sub("ы", _Y_AFTER_VOWEL.sub("й", word))
        return next(filter(self._ru.word_is_known, _spellings(cyrtranslit.to_cyrillic(latin, "ru"))), None)


def _spellings(word: str) -> Iterator[str]:
    """`word` as cyrtranslit wrote it, then with its blurred letters changed, fewest changes first, each
    also with a soft sign after one consonant."""
    blurred = [i for i, letter in enumerate(word) if letter in _BLURRED]
    for count in range(min(_CHANGES, len(blurred)) + 1):
        for places in combinations(blurred, count):
            for letters in product(*(_BLURRED[word[i]] for i in places)):
                spelling = list(word)
                for i, letter in zip(places, letters, strict=True):
                    spelling[i] = letter
                yield from _softened("".join(spelling))


def _softened(word: str) -> Iterator[str]:
    yield word
    for i, letter in enumerate(word):
        if letter in _SOFTENED:
            yield word[: i + 1] + "ь" + word[i + 1 :]
