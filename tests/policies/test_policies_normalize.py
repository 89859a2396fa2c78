import pytest

from policies.normalize import Normalizer

normalize = Normalizer()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("ну ты 6лять даёшь", ["ну", "ты", "блять", "даешь"]),  # leet and ё
        ("б л я т ь", ["блять"]),  # spaced letters
        ("х.у.й", ["хуй"]),
        ("с-у-к-а", ["сука"]),
        ("б*л*я*т*ь", ["блять"]),
        ("бляяяяять!!", ["блять"]),  # repeats
        ("сук\u200bа", ["сука"]),  # zero-width
        ("xуй", ["хуй"]),  # Latin x inside a Cyrillic word
        ("Зaрaбoтoк", ["заработок"]),
        ("ЗAPAБOTOK", ["заработок"]),
        ("sh1t happens", ["shit", "hapens"]),  # Latin leet; squeezing is applied to lexicons alike
        ("х*й и п***ц", ["х*й", "и", "п***ц"]),  # masks are kept for the lexicon, not joined
        ("Цена 100к за 4G", ["цена", "100к", "за", "4g"]),  # numbers stay numbers
        ("ＦＵＬＬ", ["ful"]),  # NFKC
        ("и\u0306", ["й"]),  # combining breve composes
    ],
)
def test_tokens(text: str, tokens: list[str]) -> None:
    assert [t.text for t in normalize(text).tokens] == tokens


@pytest.mark.parametrize(
    ("text", "token", "quote"),
    [
        ("ну ты 6лять даёшь", 2, "6лять"),
        ("ну б л я т ь же", 1, "б л я т ь"),
        ("ой бляяяяять", 1, "бляяяяять"),
        ("ой сук\u200bа", 1, "сук\u200bа"),
    ],
)
def test_every_token_maps_back_to_the_original_text(text: str, token: int, quote: str) -> None:
    norm = normalize(text)
    found = norm.tokens[token]
    assert norm.quote(found.start, found.end) == quote


def test_steps_can_be_switched_off() -> None:
    assert [t.text for t in Normalizer(("casefold",))("6ЛЯТЬ").tokens] == ["6лять"]
    with pytest.raises(ValueError, match="unknown normalization steps"):
        Normalizer(("casefold", "stem"))
