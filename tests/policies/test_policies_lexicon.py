"""The lexicon format's markers and the one-pass scan."""

from policies.lexicon import LexiconIndex, parse_lexicon
from policies.normalize import Normalizer

normalize = Normalizer()


def scan(lexicon: str, text: str) -> list[str]:
    entries, problems = parse_lexicon(lexicon, "test", "stem", normalize)
    assert problems == []
    hits = LexiconIndex({"test": entries}).scan(normalize(text)).get("test", [])
    return [normalize(text).text[h.start : h.end] for h in hits]


LEXICON = """
=дурак
!не дурак
@prefixes на по
~хуй
пиши в лс
"""


def test_a_veto_excuses_the_entries_inside_it() -> None:
    assert scan(LEXICON, "ты дурак") == ["дурак"]
    assert scan(LEXICON, "я не дурак, чтобы платить") == []
    assert scan(LEXICON, "не дурак, а дурак") == ["дурак"]  # only the words inside the vetoed phrase


def test_roots_take_their_prefixes_and_phrases_ignore_punctuation() -> None:
    assert scan(LEXICON, "пошли нахуй") == ["нахуй"]
    assert scan(LEXICON, "пиши, в лс!") == ["пиши, в лс"]  # the span runs from word to word


def test_a_spaced_word_read_without_the_preposition_it_swallowed() -> None:
    assert scan(LEXICON, "д у р а к в чате") == ["дурак"]
