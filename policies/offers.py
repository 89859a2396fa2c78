"""What sells in a message beside words: phone numbers, pay rates and hype emoji, with their spans.

Every phone number and pay rate begins at a number, so the patterns are tried only where a number begins
(anchored matches): a pattern tried at every position of a message costs more than the rest of the engine.
"""

from __future__ import annotations

import re

_NUMBER = re.compile("[0-9]+")
_NOT_DIGITS = bytes(sorted(set(range(256)) - set(b"0123456789")))
# A phone number: a `+` or a trunk code (8, 7, 0), then 10 to 13 digits in groups: +7 (916) 700-40-40,
# 8-915-222-33-44, +380 67 123 45 67, 89031234567, 067 123 45 67.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d|[780])(?:[\s\-–()]{0,2}\d){9,12}(?!\d)")

# Pay rates: "от 1500 в день", "до 2000 ₽ в день", "$500/day", "100 баксов в день", "от 50 000 в месяц".
# A monthly figure counts only when it is a salary (five digits, or thousands), not a tariff's price.
_CURRENCY = r"(?:₽|\$|€|💲|руб\w*|р\.?|грн|₴|usd|долл\w*|бакс\w*)"
_PER = r"\s*(?:в|за|на|per|a|/)\s*"
_FROM_UP_TO = ("от", "до", "from", "up to")  # before the number
# What every pay rate ends with: a test before the number patterns.
_PER_PERIOD = re.compile(
    r"(?:в|за|на|per|a|/)\s*(?:день|сутки|неделю|час|смену|месяц|мес|day|week|hour|month)\b"
)
_DAILY = re.compile(
    rf"\d[\d\s.,]*\s*(?:k|к|тыс\w*|т\.р\.?)?\s*{_CURRENCY}?{_PER}(?:день|сутки|неделю|час|смену|day|week|hour)\b",
    re.IGNORECASE,
)
_SALARY = re.compile(
    rf"(?:\d{{2,3}}[\s.,]?\d{{3}}|\d{{1,3}}\s*(?:k|к|тыс\w*))\s*{_CURRENCY}?{_PER}(?:месяц|мес|month)\b",
    re.IGNORECASE,
)
_IN_DOLLARS = re.compile(
    r"\d[\d\s.,]*\s*(?:k|к)?\s*(?:\$|€|💲|usd|долл\w*|бакс\w*|зел[её]н\w*)"
    rf"{_PER}(?:день|сутки|неделю|месяц|мес|час|day|week|month|hour)\b",
    re.IGNORECASE,
)

_AFTER_DOLLAR = re.compile(
    rf"\d[\d\s.,]*\s*(?:k|к)?{_PER}(?:день|сутки|неделю|месяц|мес|час|day|week|month|hour)\b", re.IGNORECASE
)  # "$500/day"

# Emoji that spam leans on (money, fire, pointing hands, check marks, rockets, gems), and `$$`.
_HYPE = re.compile(
    "[\U0001f4b0\U0001f4b5\U0001f4b8\U0001f525\U0001f449\U0001f447\u2705\u2714\U0001f4f2\U0001f4e9\U0001f381"
    "\U0001f4b2\U0001f911\U0001fa99\U0001f680\U0001f48e\U0001f51e]"
    r"|\$\$"
)


def number_starts(text: str) -> list[int]:
    """Where each number of the text begins (not the digits after a decimal point)."""
    return [m.start() for m in _NUMBER.finditer(text) if m.start() == 0 or text[m.start() - 1] not in ".,"]


def digit_count(text: str) -> int:
    """How many digits 0-9 the text has. In C: no UTF-8 sequence holds an ASCII digit byte but a digit."""
    return len(text.encode().translate(None, _NOT_DIGITS))


def find_pay_rates(text: str) -> list[tuple[int, int]]:
    if not _PER_PERIOD.search(text.lower()):
        return []
    found = []
    for at in number_starts(text):
        offer = _offer_before(text, at)
        rate = offer >= 0 and (_DAILY.match(text, at) or _SALARY.match(text, at))
        rate = rate or _IN_DOLLARS.match(text, at)
        if not rate and at and text[at - 1] in "$€💲":
            rate = _AFTER_DOLLAR.match(text, at)
            at -= 1
        if rate:
            found.append((offer if offer >= 0 else at, rate.end()))
    return found


def _offer_before(text: str, at: int) -> int:
    """Where "от", "до", "from" or "up to" begins right before the number at `at` (a whole word), or -1."""
    window = max(0, at - 8)
    before = text[window:at].rstrip().lower()
    for word in _FROM_UP_TO:
        start = window + len(before) - len(word)
        if before.endswith(word) and (start == 0 or not text[start - 1].isalnum()):
            return start
    return -1


def find_phones(text: str) -> list[tuple[str, tuple[int, int]]]:
    if digit_count(text) < 10:
        return []
    found = []
    end = 0  # a number's later groups are not numbers of their own
    for at in number_starts(text):
        if at < end:
            continue
        phone = _PHONE.match(text, at - 1 if at and text[at - 1] == "+" else at)
        if phone and _complete(phone.group()):
            found.append((phone.group(), phone.span()))
            end = phone.end()
    return found


def _complete(number: str) -> bool:
    """With `+`, any 10 to 13 digits; else 11 after 7 or 8 (Russia, Kazakhstan), 10 after 0 (Ukraine)."""
    if number.startswith("+"):
        return True
    return len(digits(number)) == (10 if number.startswith("0") else 11)


def count_hype(text: str) -> int:
    return len(_HYPE.findall(text))


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
