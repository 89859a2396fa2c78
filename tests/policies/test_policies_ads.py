"""Advertising by cause: the spam vocabulary, competitor promotion, and the complaints that sound alike."""

import pytest

from policies.engine import Verdict


def category(verdict: Verdict) -> str:
    return verdict.leading.rule.category if verdict.violation and verdict.leading else "clean"


ADS = [
    # jobs and quick money
    "yдaлённaя рaбoтa, oплaтa кaждый дeнь",  # two earnings phrases behind lookalike letters
    "Есть вакансия на удалёнку, 4 часа в день, 60к. Подробности в личных сообщениях",
    "Требуются сотрудники на удалёнку, от 50 000 в месяц",  # a salary, not a tariff's price
    "Срочно нужны разнорабочие, оплата 3000 смена, 79899822700",
    "Віддалена робота, від 1000 грн на день, пишіть в особисті",
    "Здpaвcтвyйтe, в oпиcaнии пpoфиля инфo для тex кoмy нyжны $$$",  # тex: lookalikes only read Cyrillic
    # crypto, betting, adult, counterfeits, data
    "Share your 10X #altcoin or #NFT recommendations",
    "Ставки на спорт, прогнозы 100%, пиши",
    "⚜️ Haйдu uнтuм фото любoй дeвушкu 🔞",
    "Пᴏддᴇᴧьнᴀя ʙᴀᴧюᴛᴀ, Ꮶуᴨюᴩы, нᴀᴨиɯи ʙ ᴨᴏиᴄᴋᴇ ᴛᴇᴧᴇᴦᴩᴀʍ",  # small capitals and Cherokee
    "Детализация звонков любого номера, быстро и анонимно, тел. 89031234567",
    # services and selling with a phone number
    "Уборка квартир недорого, +7 (916) 700-40-40, Ольга",
    "Ремонт телефонів за годину, дзвоніть +380 67 123 45 67",
    "Корпоративные сим-карты с безлимитом за 500, много, пишите",
    # English promotion
    "Calling all tech enthusiasts! Join us for an exclusive webinar. Register here and be part of it.",
    # competitor promotion: one call to switch or a recommendation is enough
    "Мой совет: бегите в МегаФон, у них 5G во всём городе",
    "Кому нужна нормальная связь — МегаФон. Мне хватает за глаза, советую",
    "У Yota безлимит за 400, чего вы тут сидите",
    "Seriously guys, Beeline has unlimited for 500, why are you still here? Switch already",
]
CLEAN = [
    "Жалоба на спамера отправлена, он в личку всем пишет про заработок",  # a report quotes the spam
    "Кто-то рассылает спам про заработок от вашего имени, осторожно",
    "Напишите мне в личку, пожалуйста, номер заявки 123456",  # one call, said to the staff
    "Вот ссылка на ваш же ответ в группе ВК: vk.com/volna_official?w=wall-1234_5678",  # the brand's own
    "не совсем тот случай, но вот пост https://t.me/mikrotik_sensei/554",  # a post, not a channel
    "Тариф от 300 в месяц есть?",  # a tariff's monthly price is not a salary
    "Я плачу 900 рублей в месяц за тариф, а интернета нет",
    "Мой номер 89161234567, интернет не работает третий день",
    "Не советую МТС, там хуже связь",  # a negated call
    "Уйду в Билайн, если не почините до пятницы",  # a threat in a complaint
    "Почему вы уходите от ответа? В МТС такого нет",
    "Переходите в раздел Настройки и включите роуминг",
    "Смотрите, что нашёл: https://example-deals.ru/sale",
]


@pytest.mark.parametrize("text", ADS)
def test_ads(judge, text: str) -> None:
    verdict = judge(text)
    assert category(verdict) == "ads", verdict.explain()


@pytest.mark.parametrize("text", CLEAN)
def test_feedback_and_reports_that_sound_like_ads(judge, text: str) -> None:
    assert category(judge(text)) == "clean", judge(text).explain()


def test_a_phrase_counts_once_not_again_for_the_phrases_inside_it(judge) -> None:
    figure = judge("Заработок от 100$ в день, пиши в лс").leading.finding.figure
    assert 'ads_solicit "пиши в лс"' in figure
    assert 'ads_solicit "в лс"' not in figure and 'ads_solicit "пиши"' not in figure


def test_a_report_of_spam_takes_weight_off(judge) -> None:
    spam = "заработок без вложений, пиши в лс"
    assert category(judge(spam)) == "ads"
    assert category(judge(f"Осторожно, спамер пишет: {spam}")) == "clean"
    assert category(judge(f"Это не развод: {spam}")) == "ads"  # a spammer's denial is no report
