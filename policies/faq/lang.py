"""The language a member wrote in, to answer in it: Ukrainian letters mark Ukrainian, mostly Latin letters
English, and a few frequent Ukrainian words catch the messages that happen to use none of its letters
("як поповнити рахунок"). Three languages with distinct alphabets need no model."""

from __future__ import annotations

import re

_UKRAINIAN_LETTERS = frozenset("іїєґ")
_UKRAINIAN_WORDS = frozenset(
    [
        "як",
        "що",
        "чи",
        "це",
        "мені",
        "мене",
        "вже",
        "ще",
        "треба",
        "можна",
        "будь",
        "ласка",
        "нема",
        "немає",
        "рахунок",
    ]
)
_WORD = re.compile(r"\w+")


def detect_lang(text: str) -> str:
    lower = text.casefold()
    cyrillic = sum("а" <= ch <= "я" or ch in "ёіїєґ" for ch in lower)
    latin = sum("a" <= ch <= "z" for ch in lower)
    if latin > cyrillic:
        return "en"
    if not _UKRAINIAN_LETTERS.isdisjoint(lower) or not _UKRAINIAN_WORDS.isdisjoint(_WORD.findall(lower)):
        return "uk"
    return "ru"
