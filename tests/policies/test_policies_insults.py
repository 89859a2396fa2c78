"""Insults by cause: words aimed at people, evasions, and the same words aimed at no one."""

import pytest

from policies.engine import Verdict


def category(verdict: Verdict) -> str:
    return verdict.leading.rule.category if verdict.violation and verdict.leading else "clean"


INSULTS = [
    "ty debil? ya zhe napisal",  # transliteration
    "д е б и л ы в поддержке",  # spaced letters that swallowed the next word's preposition
    "Иди проспись, алкаш",
    "Этот клоун-модератор опять меня замьютил",  # a figure aimed at a person
    "Ваши консультанты — стадо баранов",
    "Баран, читай внимательнее",
    "ты олень",
    "вы конченые",
    "Дурепа з салону не змогла замінити сімку",
    "Stupid people in this chat keep asking",
]
CLEAN = [
    "дураков нет платить столько",  # an idiom
    "Вы нас за дураков держите?",
    "Я не дурак, чтобы платить за то, чем не пользуюсь",  # denied of oneself
    "Это какой-то цирк с клоунами, а не поддержка",
    "Тупой вопрос: как проверить баланс?",
    "Мы же не тупые, объясните нормально",
    "Шашлык из барана",
]


@pytest.mark.parametrize("text", INSULTS)
def test_insults(judge, text: str) -> None:
    assert category(judge(text)) == "insult", judge(text).explain()


@pytest.mark.parametrize("text", CLEAN)
def test_the_same_words_aimed_at_no_one(judge, text: str) -> None:
    assert category(judge(text)) == "clean", judge(text).explain()
