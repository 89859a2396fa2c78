"""Profanity by cause: each evasion the detector claims to read, and the innocent words beside it."""

import pytest

from policies.engine import Verdict


def category(verdict: Verdict) -> str:
    return verdict.leading.rule.category if verdict.violation and verdict.leading else "clean"


MORPHOLOGY = [
    "нехуй было подключать",  # prefix не + хуй
    "ахуеть цены",
    "отъебись",
    "распиздяи в поддержке",
    "хули вы молчите",
    "пздц",
    "мудло",
    "сукин сын",
    "сцуко",
    "мандавошки",
]
# Rude but not мат: members complain in these words, and the public labelled corpus counts them as clean.
COARSE = [
    "Связь в метро просто говно",
    "говнище",
    "Что за херня",
    "мне похер",
    "херовые микрофоны",
    "засранцы",
    "г.о.в.н.о, а не интернет",
    "Це не підтримка, а гівно",
]
MASKED = [
    ("х*й вам", "х*й"),
    ("б**дь", "б**дь"),
    ("е*аные подписки", "е*аные"),
    ("Йо*аний застосунок", "Йо*аний"),
    ("су*а, третий раз", "су*а"),  # `сукна` (an allowed word) fits too: a hidden letter is never excused
    ("на*уй такой сервис", "на*уй"),
    ("п@здец", "п@здец"),  # a Cyrillic `@` is a hidden letter
    ("п!здец, а не приложение", "п!здец"),
    ("бл..ть опять", "бл..ть"),
    ("х#й", "х#й"),
    ("f**k this", "f**k"),
]
LOOKALIKES = [
    "ху1ня ваш антиспам",  # 1 for и
    "пиzдец",  # a Latin letter that spells a Cyrillic one
    "пизdец",
    "хуiня",  # a Latin i is a Ukrainian і
    "ᴨиздец",  # Greek small capital pi
    "xyйня",
]
OTHER_LANGUAGES = [
    "Йобані тарифи",
    "Don't be a dick, admin",
    "you cocksucker",
    "holy shit",
    "pizdec",
    "huynya",
    "фак ю",
]
CLEAN = [
    "Бляшанка з-під кави тепер тримач для роутера",  # uk: tin can
    "Підробіток шукаю, у вас є вакансії?",  # uk під + р..., not пидр
    "Херсонская область, связь есть?",
    "Хулиганы сломали таксофон",
    "не...знаю что сказать",  # dots between words hide nothing
    "на...ну и ладно",
    "Ну да!Так и знал",
    "номер заказа 12*34",
    "Процесс часто обостряет конфликты",  # squeezed `обосс` would have caught it
    "Dick Grayson is Robin",
    "The cockpit was cold",
    "Факт: тариф подорожал",
    "капец, снова нет сети",
    "Охренеть, 5000 за роуминг",
    "ну может он за жопу покусал",  # like English "ass": rude, not an obscenity
]


@pytest.mark.parametrize("text", MORPHOLOGY + LOOKALIKES + OTHER_LANGUAGES)
def test_obscene_forms_evasions_and_languages(judge, text: str) -> None:
    assert category(judge(text)) == "profanity", judge(text).explain()


@pytest.mark.parametrize(("text", "quote"), MASKED)
def test_self_censored_words_are_read_and_quoted(judge, text: str, quote: str) -> None:
    verdict = judge(text)
    assert category(verdict) == "profanity", verdict.explain()
    assert quote in verdict.leading.finding.quotes(text)


@pytest.mark.parametrize("text", CLEAN + COARSE)
def test_innocent_words_beside_them_stay_clean(judge, text: str) -> None:
    assert category(judge(text)) == "clean", judge(text).explain()


def test_a_self_censored_insult_reads_as_the_insult_it_spells(judge) -> None:
    """`д*бил` spells `дебил` whole; reading it as a stem of мат (`до*б…`) would be a stretch."""
    assert category(judge("д*бил, тебе же написали")) == "insult"
