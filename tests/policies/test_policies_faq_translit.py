"""Russian in Latin letters is read as Russian; English, and English with a stray Russian-looking word, is
left as it is."""

import pytest

from policies.faq.decide import Decision, FaqDesk
from policies.faq.glossary import load_glossary
from policies.faq.kb import load_kb
from policies.faq.translit import Translit
from policies.schema import Faq

GLOSSARY = load_glossary()
CYRILLIC = Translit(GLOSSARY.knows)


@pytest.mark.parametrize(
    ("text", "cyrillic"),
    [
        ("kak uznat balans", "как узнать баланс"),  # the soft sign Latin spellings drop
        ("rouming kak vkluchit", "роуминг как включит"),  # "u" as ю
        ("Ne rabotaet internet uzhe 3 dnya", "Не работает интернет уже 3 дня"),
        ("apn kakoi propisivat", "апн какой прописывать"),  # "i" as й and as ы
        ("obeshanniy platezh kod kakoy", "обещанный платеж код какой"),  # "sh" as щ, "y" as й
        ("chto delat s simkoi chtoby nikto ne zashel", "что делать с симкой чтобы никто не зашел"),
        ("kak sdelat, vy mozhete pomoch?", "как сделать, вы можете помочь?"),
        ("SKOLKO STOIT", "СКОЛЬКО СТОИТ"),
    ],
)
def test_russian_in_latin_letters(text: str, cyrillic: str) -> None:
    assert CYRILLIC(text) == cyrillic


@pytest.mark.parametrize(
    "text",
    [
        "how do I check my balance",  # words the glossary knows are English
        "can I get an eSIM for my Pixel without going to a store?",
        "mama said to call",  # one Russian-looking word is not Russian
        "net",
        "как узнать баланс",  # already Cyrillic
    ],
)
def test_english_stays(text: str) -> None:
    assert CYRILLIC(text) == text


def test_the_glossary_knows_its_keys_and_stop_words() -> None:
    assert GLOSSARY.knows("balance") and GLOSSARY.knows("balances")  # a key and a word it begins
    assert GLOSSARY.knows("how")  # a stop word
    assert not GLOSSARY.knows("balans")


def test_a_question_in_latin_letters_is_answered_in_russian() -> None:
    outcome = FaqDesk(load_kb(), Faq(semantic=False)).decide("kak proverit balans?")
    assert outcome.decision is Decision.ANSWER and outcome.entry == "balance-check"
    assert outcome.lang == "ru"
