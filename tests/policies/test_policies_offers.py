"""Phone numbers, pay rates, hype and links: the text signals of the ads detector."""

import pytest

from policies.offers import count_hype, digit_count, find_pay_rates, find_phones
from policies.signals import find_links


@pytest.mark.parametrize(
    "text",
    ["+7 (916) 700-40-40", "8-915-222-33-44", "+380 67 123 45 67", "89031234567", "067 123 45 67"],
)
def test_phone_numbers_in_their_common_groupings(text: str) -> None:
    assert [number for number, _ in find_phones(f"звоните {text}, Ольга")] == [text]


@pytest.mark.parametrize(
    "text", ["номер договора 1234567890", "8.05.2024 15.30", "лицевой счёт 770012345678"]
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert find_phones(text) == []


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("заработок от 100$ в день", "от 100$ в день"),
        ("до 2000 ₽ в день", "до 2000 ₽ в день"),
        ("$500/day", "$500/day"),
        ("100 баксов в день", "100 баксов в день"),
        ("от 3000 за смену", "от 3000 за смену"),
        ("требуются люди, от 50 000 в месяц", "от 50 000 в месяц"),
        ("доход от 100к в месяц", "от 100к в месяц"),
    ],
)
def test_pay_rates(text: str, quote: str) -> None:
    assert [text[a:b] for a, b in find_pay_rates(text)] == [quote]


@pytest.mark.parametrize(
    "text", ["тариф от 300 в месяц", "третий день нет связи, 300 рублей", "вот 1500 в день"]
)
def test_prices_and_dates_are_not_pay_rates(text: str) -> None:
    assert find_pay_rates(text) == []


def test_digits_are_counted_and_hype_includes_dollar_runs() -> None:
    assert digit_count("абв 12 г3 ٣") == 3
    assert count_hype("💰💰 $$$") == 3


@pytest.mark.parametrize(
    ("text", "kind", "account"),
    [
        ("t.me/cheap_sim", "messenger", "cheap_sim"),
        ("https://t.me/mikrotik_sensei/554", "post", "mikrotik_sensei"),
        ("vk.com/volna_official?w=wall-1234_5678", "post", "volna_official"),
        ("t.me/+AbCdEf", "invite", "+abcdef"),
        ("bit.ly/free", "shortener", "free"),
        ("https://example.ru/sale", "web", "sale"),
    ],
)
def test_link_kinds_and_accounts(text: str, kind: str, account: str) -> None:
    (link,) = find_links(f"смотри {text} тут")
    assert (link.kind, link.account, link.text) == (kind, account, text)


def test_broken_up_links_and_handles_in_words() -> None:
    assert [link.kind for link in find_links("Заходи t . me / cheap_sim_msk")] == ["obfuscated"]
    assert [link.kind for link in find_links("ищи в тг shop_bot")] == ["obfuscated"]
    assert find_links("т.е. вы не вернёте деньги?") == []
