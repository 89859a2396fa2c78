"""Content words of a text, as dictionary forms: the word-level view of the FAQ matcher beside its character
n-grams. Russian and Ukrainian words go through pymorphy3's dictionaries (their lemma, so "гигов" and "гиги"
are one word, "тарифы" and "тарифа" too), Latin words through the Snowball English stemmer. Words that
carry no topic ("как", "можно", "подскажите", "how", "please") are dropped: the glossary file lists them.

Dictionary look-ups are cached: a chat repeats its words, and a lemma costs ~30 µs the first time only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

import pymorphy3
import snowballstemmer

_WORD = re.compile(r"\w{2,}")
_LETTER = re.compile(r"[^\W\d_]")
# Sums and numbers ("100р", "2000", "12гб") say nothing about the topic; short codes ("5g", "4g") do.
_AMOUNT = re.compile(r"\d\d")
_LATIN = re.compile(r"[a-z]")
_UKRAINIAN = re.compile(r"[іїєґ]")
# Ukrainian lemmas are folded towards Russian spelling, so that the fuzzy comparison of words sees
# "дитячий" near "детский" as much as their roots allow.
_FOLD = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г"})


@cache
def morphology(lang: str) -> pymorphy3.MorphAnalyzer:
    """One analyzer per language for the process: each holds its dictionary (~15 MB) in memory."""
    return pymorphy3.MorphAnalyzer(lang=lang)


class Lemmatizer:
    def __init__(self, stop_words: Iterable[str] = ()) -> None:
        self._ru = morphology("ru")
        self._uk = morphology("uk")
        self._en = snowballstemmer.stemmer("english")
        self._stop = frozenset(stop_words)
        self.lemma = lru_cache(maxsize=65536)(self._lemma)

    def words(self, text: str) -> list[str]:
        """The content words of `text` (already in the glossary's plain form), in order, as lemmas."""
        lemmas = (self.lemma(w) for w in _WORD.findall(text) if w not in self._stop and _topical(w))
        return [lemma for lemma in lemmas if lemma not in self._stop]

    def _lemma(self, word: str) -> str:
        if _LATIN.search(word):
            return self._en.stemWord(word)
        # A word Russian does not know but Ukrainian does is Ukrainian ("скільки", "коштує"); the other
        # way round Russian wins, since the knowledge base is written in it.
        if _UKRAINIAN.search(word) or (not self._ru.word_is_known(word) and self._uk.word_is_known(word)):
            lemma = self._uk.parse(word)[0].normal_form
        else:
            lemma = self._ru.parse(word)[0].normal_form
        return lemma.replace("ё", "е").translate(_FOLD)


def _topical(word: str) -> bool:
    return bool(_LETTER.search(word)) and not _AMOUNT.match(word)
