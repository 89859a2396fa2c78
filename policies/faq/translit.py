"""Russian written in Latin letters ("kak uznat balans", "rouming kak vkluchit") back in Cyrillic, so that
triage, matching and the answer's language treat it as the Russian it is. cyrtranslit does the letters
("zh" -> "ж", "ya" -> "я"); what is left to decide is whether a Latin message is Russian at all.

It is when more of its words read as Russian than as English: a word is English when the glossary knows it
(a key or a stop word: "how", "check", "balance", "data"), Russian when its Cyrillic spelling is a word
pymorphy3's dictionary knows ("kak" -> "как", "skolko" -> "сколько"). Brand names and typos count for
neither. Two Russian words at least: a lone "tam" or "net" in an English message is not a translation."""

from __future__ import annotations

import re
from collections.abc import Callable

import cyrtranslit

from policies.faq.words import morphology

_CYRILLIC = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_LEAST_RUSSIAN = 2
_SOFTENED = frozenset("бвдзлмнпрстфц")  # consonants a soft sign follows


class Translit:
    def __init__(self, english: Callable[[str], bool]) -> None:
        self._english = english
        self._ru = morphology("ru")

    def __call__(self, text: str) -> str:
        """`text` in Cyrillic when it is Russian in Latin letters, else `text` unchanged."""
        if _CYRILLIC.search(text):
            return text
        english = russian = 0
        for word in _LATIN_WORD.findall(text.casefold()):
            if self._english(word):
                english += 1
            elif self._russian(cyrtranslit.to_cyrillic(word, "ru")):
                russian += 1
        if russian < _LEAST_RUSSIAN or russian <= english:
            return text
        return cyrtranslit.to_cyrillic(text, "ru")

    def _russian(self, word: str) -> bool:
        """A dictionary word, also with the soft sign that Latin spellings drop ("skolko", "uznat")."""
        if self._ru.word_is_known(word):
            return True
        softened = (word[: i + 1] + "ь" + word[i + 1 :] for i, ch in enumerate(word) if ch in _SOFTENED)
        return any(map(self._ru.word_is_known, softened))
