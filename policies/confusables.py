"""Lookup tables for normalization: invisible characters, lookalike letters between Latin and Cyrillic,
and digits or symbols written instead of letters."""

INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0"
)

# Lowercase pairs that look alike (after case folding). Latin letters that only look like a Cyrillic
# letter in capitals (B, H, M, T, K) count too: spammers write ЗAPAБOTOK, folded before we see it.
LATIN_TO_CYRILLIC = {
    "a": "а",
    "b": "в",
    "c": "с",
    "e": "е",
    "h": "н",
    "k": "к",
    "m": "м",
    "n": "п",
    "o": "о",
    "p": "р",
    "r": "г",
    "t": "т",
    "u": "и",
    "x": "х",
    "y": "у",
    "i": "і",
}
CYRILLIC_TO_LATIN = {
    "а": "a",
    "в": "b",
    "с": "c",
    "е": "e",
    "н": "h",
    "к": "k",
    "м": "m",
    "о": "o",
    "р": "p",
    "т": "t",
    "х": "x",
    "у": "y",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
}
# Inside Cyrillic words: 6лять, 3апрет, п0рн0, с@йт, хуйн9.
LEET_CYRILLIC = {
    "0": "о",
    "3": "з",
    "4": "ч",
    "6": "б",
    "9": "я",
    "@": "а",
    "$": "с",
    "1": "і",
}
# Inside Latin words: sh1t, f4ck, a$$, 3arn.
LEET_LATIN = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
}
