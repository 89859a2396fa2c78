"""Lookup tables for normalization: invisible characters, lookalike letters between Latin and Cyrillic,
and digits or symbols written instead of letters."""

INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0"
)

# Emoji and pictographs, as the body of a regex character class: spam puts them between the letters of a
# word and between the pieces of a link.
EMOJI = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"

# Letters of other alphabets that spam dresses Latin or Cyrillic words in (NFKC leaves them alone): small
# capitals, Greek and Cherokee. Each is read as the letter it imitates; the word's script decides the rest.
HOMOGLYPHS = {
    # Latin small capitals
    "ᴀ": "a",
    "ʙ": "в",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
    # Greek and Cyrillic small capitals, turned and reversed letters
    "ᴦ": "г",
    "ᴧ": "л",
    "ᴫ": "л",
    "ᴨ": "п",
    "ᴩ": "р",
    "ɜ": "з",
    "ʍ": "м",
    "ɯ": "ш",
    "ɸ": "ф",
    # Greek (after case folding)
    "α": "a",
    "β": "в",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "μ": "м",
    "ν": "v",
    "ο": "o",
    "π": "п",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    # Cherokee (case folding leaves its capitals as they are)
    "Ꭺ": "a",
    "Ᏼ": "в",
    "Ꮯ": "c",
    "Ꭼ": "e",
    "Ꮋ": "н",
    "Ꮶ": "k",
    "Ꮇ": "м",
    "Ꮎ": "o",
    "Ꮻ": "o",
    "Ꮲ": "p",
    "Ꮪ": "s",
    "Ꭲ": "t",
    "Ꮤ": "w",
}

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
    "w": "ш",
}
# Inside a Cyrillic word, a Latin letter without a lookalike is a transliteration (пиzдец, пизdец):
# read as the Cyrillic letter it spells.
LATIN_SOUNDS = {
    "d": "д",
    "f": "ф",
    "g": "г",
    "j": "й",
    "l": "л",
    "s": "с",
    "v": "в",
    "z": "з",
}
TO_CYRILLIC = LATIN_TO_CYRILLIC | LATIN_SOUNDS

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
# Inside Cyrillic words: 6лять, 3апрет, п0рн0, ху1ня. `@` stands for а, о or и alike (с@йт, п@рно, п@здец):
# it becomes a masked letter, which the lexicon matches as any letter.
LEET_CYRILLIC = {
    "0": "о",
    "3": "з",
    "4": "ч",
    "6": "б",
    "9": "я",
    "@": "*",
    "$": "с",
    "1": "и",
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
