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


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Пᴏддᴇᴧьнᴀя ʙᴀᴧюᴛᴀ", ["подельная", "валюта"]),  # small capitals
        ("Ꮶуᴨюᴩы", ["купюры"]),  # Cherokee and Greek small capitals
        ("ᴨиzдец", ["пиздец"]),  # a Latin letter without a lookalike spells a Cyrillic one
        ("ху1ня", ["хуиня"]),  # 1 for и
        ("п@здец", ["п*здец"]),  # a Cyrillic @ hides a letter
        ("sh1t h@ppens", ["shit", "hapens"]),  # in a Latin word, @ is an a
        ("мec тex", ["мес", "тех"]),  # only lookalikes: read as Cyrillic
        ("fuсk", ["fuck"]),  # a Cyrillic с in a Latin word
    ],
)
def test_lookalikes_towards_the_word_s_script(text: str, words: list[str]) -> None:
    assert normalize(text).words == words


def test_words_written_as_spaced_letters_are_marked() -> None:
    norm = normalize("ну д е б и л ы в поддержке")
    assert norm.words == ["ну", "дебилыв", "подержке"]
    assert norm.spaced == {1}


@pytest.mark.parametrize(
    "text",
    [
        "ну ссссука и бляяяять же, а потом ещё ссылка",  # several words shrink (plain text)
        "ну ссссука 🙂 и бляяяять же",  # the same through the general path
        "Зaрaбoтoк от 100$ в день",
    ],
)
def test_every_word_maps_back_through_shrunk_words(text: str) -> None:
    norm = normalize(text)
    quotes = [norm.quote(*norm.word_span(i, i)) for i in range(len(norm.words))]
    for word, quote in zip(norm.words, quotes, strict=True):
        assert normalize(quote).words == [word]
    assert norm.quote(0, len(norm.text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "Добрый день! Подскажите, как подключить роуминг в Турции?",
        "Тарифы тут https://volna.ru/tariffs, смотрите (раздел «Семья»)",
        "@volna_help_bot не отвечает; 8-800-700-06-11 тоже… №5",
        "f*ck this *важно* 100$/day",
    ],
)
def test_the_fast_path_splits_words_as_the_general_one(text: str) -> None:
    assert normalize(text).words == normalize(text + "\u200b").words  # an invisible character: general path
