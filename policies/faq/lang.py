"""The language a member wrote in, to answer in it: Ukrainian letters mark Ukrainian, mostly Latin letters
English, anything else Cyrillic is Russian. Three languages with distinct alphabets need no model."""

from __future__ import annotations

_UKRAINIAN = frozenset("іїєґ")


def detect_lang(text: str) -> str:
    lower = text.casefold()
    cyrillic = sum("а" <= ch <= "я" or ch in "ёіїєґ" for ch in lower)
    latin = sum("a" <= ch <= "z" for ch in lower)
    if latin > cyrillic:
        return "en"
    if any(ch in _UKRAINIAN for ch in lower):
        return "uk"
    return "ru"
