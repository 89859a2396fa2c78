"""Each detector on its traps and evasions, through the bundled policy."""

import pytest

from policies.engine import Verdict
from policies.events import Role


def category(verdict: Verdict) -> str:
    return verdict.leading.rule.category if verdict.violation and verdict.leading else "clean"


PROFANITY = [
    ("ну ты 6лять даёшь", "6лять"),
    ("б л я т ь", "б л я т ь"),
    ("вы заебали уже", "заебали"),
    ("выебываться не надо", "выебываться"),
    ("отъебись", "отъебись"),
    ("вы там охуели?", "охуели"),
    ("нахуя мне это", "нахуя"),
    ("спиздили деньги", "спиздили"),
    ("xуйня, а не связь", "xуйня"),
    ("опять п***ц с роумингом", "п***ц"),
    ("бл*ть", "бл*ть"),
    ("бляяяяять", "бляяяяять"),
    ("сук\u200bа", "сук\u200bа"),
    ("blyat opyat", "blyat"),
    ("ну pizdec", "pizdec"),
    ("this is fucking ridiculous", "fucking"),
    ("f*ck this", "f*ck"),
    ("заїбали вже", "заїбали"),
    ("ты мудак", "мудак"),
]
CLEAN_TRAPS = [
    "Бляха на ремне потерялась",
    "Не надо оскорблять операторов",
    "Колебания напряжения третий день",
    "Списали 3 рубля",
    "Корабля не видно",
    "Употреблять можно",
    "Страховка к ипотеке",
    "Скипидар и мандарины",
    "Мандат депутата",
    "Команда поддержки молодец",
    "Хлеба и неба себе",
    "Застрахуйте роутер",
    "Scunthorpe and an assassin walk into a bar",
    "Dick Grayson is Robin",
    "Ваш сервис ужасен, третий день нет интернета!",
    "ВЫ ИЗДЕВАЕТЕСЬ?! ТРЕТИЙ ДЕНЬ НЕТ ИНТЕРНЕТА",
    "Буду жаловаться в Роспотребнадзор и ФАС",
    "Почему у вас дороже, чем у МТС?",
    "Тарифы тут: https://volna.ru/tariffs",
    "Напишите @volna_help_bot, там отвечают",
    "Интернет заработал, спасибо!",
    "SMS не доходят третий день",
    "Это просто идиотизм, третий день без связи",
    "Попал в тупик с этим роумингом",
    "Хочу даунгрейд тарифа",
    "Вот новость: https://www.rbc.ru/technology/123",
    "а я в шоке от роуминга",
]
ADS = [
    "Переходите в t.me/cheap_sim",
    "Заходи t . me / cheap_sim_msk",
    "Наш канал: t(.)me/halyava_promo",
    "t.me/+AbCdEfGh123",
    "Free iPhone giveaway, click bit.ly/free-iph15",
    "Зaрaбoтoк от 100$ в день, без вложений, пиши в лс",
    "Возможность зaрaбoткa: oт 25000 $ в мecяц, ищу партнеров",
    "Продам красивые номера, пишите в личку",
    "Ремонт телефонов, звоните +7 926 555-12-34",
    "У МегаФона тариф дешевле и связь лучше",
    "Переходите на Т2, там в два раза дешевле",
    "🎰 Казино 🔥 бонус за регистрацию 🔥 по ссылке 👉 casino-win.xyz",
]
INSULTS = ["ты идиот?", "Вы там все тупые?", "тупые операторы", "you are an idiot", "дeбил из поддержки"]


@pytest.mark.parametrize(("text", "span"), PROFANITY)
def test_profanity_and_its_evasions(judge, text: str, span: str) -> None:
    verdict = judge(text)
    assert category(verdict) == "profanity", verdict.explain()
    assert span in verdict.leading.finding.quotes(text)


@pytest.mark.parametrize("text", CLEAN_TRAPS)
def test_traps_and_angry_feedback_stay_clean(judge, text: str) -> None:
    assert category(judge(text)) == "clean", judge(text).explain()


@pytest.mark.parametrize("text", ADS)
def test_ads(judge, text: str) -> None:
    verdict = judge(text)
    assert category(verdict) == "ads", verdict.explain()
    assert "score" in verdict.leading.finding.figure


@pytest.mark.parametrize("text", INSULTS)
def test_insults(judge, text: str) -> None:
    assert category(judge(text)) == "insult", judge(text).explain()


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.BOT])
def test_staff_and_bots_are_exempt_and_the_verdict_says_so(judge, role: Role) -> None:
    verdict = judge("6лять", role=role)
    assert not verdict.violation
    assert verdict.exempt == f"{role.value}s are exempt"
    assert verdict.hits  # still recorded


def test_listed_moderators_are_exempt(judge, policy) -> None:
    assert not judge("6лять", user=policy.spec.moderators[0]).violation


@pytest.mark.parametrize(
    "text",
    ["Смотрите, что нашёл: https://example-deals.ru/sale", "попробуйте @cheap_deals_bot"],
)
def test_a_newcomer_s_links_meet_the_stricter_threshold(judge, text: str) -> None:
    assert category(judge(text)) == "clean"  # an established member: one weak signal is not an ad
    verdict = judge(text, newcomer=True)
    assert category(verdict) == "ads" and "(newcomer)" in verdict.explain()


def test_a_newcomer_without_links_or_mentions_is_judged_as_anyone(judge) -> None:
    assert category(judge("Всем привет! Подскажите, как подключить роуминг?", newcomer=True)) == "clean"
    assert category(judge("@anna_k спасибо, помогло", newcomer=True)) == "clean"
