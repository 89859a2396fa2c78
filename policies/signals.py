"""Links, mentions and phone numbers in a message, with their spans in the original text.

The patterns are the project's own and built from fixed character classes, so Python's `re` is safe here;
admin-supplied regexes go through RE2 (detectors/regex.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TLDS = (
    "ru|рф|su|com|net|org|info|biz|io|me|ua|укр|by|kz|uz|am|ge|pro|xyz|top|site|online|shop|store|club|"
    "link|ly|gl|cc|co|app|dev|tv|uk|de|us|eu|to|gg|ws|fun|live|space|website|vip|bet|casino|win|click|"
    "icu|tk|ml|ga|cf|in|page|money|cash|finance|life|world|today|best|one|im|sh|onion"
)
_URL = re.compile(
    rf"(?<![\w@.])(?:https?://|www\.)?((?:[a-zа-я0-9](?:[a-zа-я0-9-]{{0,61}}[a-zа-я0-9])?\.)+(?:{TLDS}))"
    r"(?![\w-])(?::\d+)?(/[^\s<>\"]*)?",
    re.IGNORECASE,
)
# `t . me / cheap`, `t(.)me/x`, `т.ме/cheap`, `vk . com / job`: a link broken up so that filters miss it.
_SPACED_TG = re.compile(
    r"(?<!\w)(?:t|т|vk|вк|wa|inst\w*)\s*[\[(]?\s*[.,]\s*[\])]?\s*(?:m\s?e|м\s?е|com|ком|ru|ру)\s*/\s*\+?[\w-]{3,}",
    re.IGNORECASE,
)
# `тг: @shop`, `tg @shop`, `в телеге @shop`, `ищи в тг shop_bot`: pointing to a Telegram account in words.
_TG_HANDLE = re.compile(
    r"(?<!\w)(?:тг|tg|телег[аеиу]|телеграм[еу]?|telegram|инст[аеу]?|inst)\s*[:\-–—]?\s*@?[a-z][\w]{3,31}",
    re.IGNORECASE,
)
# Words without which _TG_HANDLE cannot match (substring tests: far cheaper than an alternation in `re`).
_TG_HINTS = ("тг", "tg", "телег", "telegram", "инст", "inst")
_THREE_DIGITS = re.compile(r"\d{3}")
# Cheap tests that rule out the costly patterns for most messages.
_DOTTED_WORD = re.compile(r"\w\.\w")  # every domain has one
# every _SPACED_TG match has one:
_BROKEN_DOT = re.compile(r"[tтkкam]\s*[\[(]?\s*[.,]\s*[\])]?\s*[mмcкrр]", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_PAY_PERIODS = ("ден", "сут", "недел", "час", "мес", "day", "week", "hour", "month")
_MENTION = re.compile(r"(?<![\w@.])@([a-z][a-z0-9_]{3,31})\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\d\w])(?:\+?7|8|\+?380|\+?375|\+?998|\+?77)[\s\-–(]*\d{3}[\s\-–)]*\d{3}[\s\-–]*\d{2}[\s\-–]*\d{2}(?!\d)"
)

MESSENGERS = (
    "t.me",
    "telegram.me",
    "telegram.dog",
    "wa.me",
    "vk.me",
    "vk.com",
    "vk.ru",
    "instagram.com",
    "discord.gg",
    "discord.com",
    "ok.ru",
    "whatsapp.com",
    "chat.whatsapp.com",
    "viber.com",
    "max.ru",
)
SHORTENERS = (
    "bit.ly",
    "clck.ru",
    "tinyurl.com",
    "cutt.ly",
    "goo.gl",
    "is.gd",
    "u.to",
    "vk.cc",
    "t.co",
    "ow.ly",
    "rebrand.ly",
    "shorturl.at",
    "page.link",
    "linktr.ee",
    "taplink.cc",
    "tiny.cc",
    "qps.ru",
)


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    domain: str
    kind: str  # invite | messenger | shortener | obfuscated | web
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Mention:
    name: str  # without @, case-folded
    kind: str  # bot | account
    span: tuple[int, int]


def _ends_with_domain(domain: str, suffixes: tuple[str, ...] | list[str]) -> bool:
    return any(domain == s or domain.endswith("." + s) for s in suffixes)


def domain_allowed(domain: str, allowed: list[str]) -> bool:
    """The brand's own domains, subdomains included."""
    return _ends_with_domain(domain, allowed)


def find_links(text: str, parsed: tuple[str, ...] = ()) -> list[Link]:
    text = unicodedata.normalize("NFKC", text)
    links: list[Link] = []
    for match in _URL.finditer(text) if _DOTTED_WORD.search(text) else ():
        domain = match.group(1).lower().removeprefix("www.")
        path = match.group(2) or ""
        links.append(Link(match.group(), domain, _kind(domain, path), match.span()))
    taken = [link.span for link in links]
    patterns = [_SPACED_TG] if _BROKEN_DOT.search(text) else []
    if any(map(text.lower().__contains__, _TG_HINTS)):
        patterns.append(_TG_HANDLE)
    for pattern in patterns:
        for match in pattern.finditer(text):
            if not any(a <= match.start() < b for a, b in taken):
                links.append(Link(match.group(), "t.me", "obfuscated", match.span()))
                taken.append(match.span())
    for url in parsed:
        if not any(url in link.text or link.text in url for link in links):
            found = _URL.search(url)
            if found:
                domain = found.group(1).lower().removeprefix("www.")
                links.append(Link(url, domain, _kind(domain, found.group(2) or ""), (0, 0)))
    return links


def _kind(domain: str, path: str) -> str:
    if _ends_with_domain(domain, ("t.me", "telegram.me", "telegram.dog")) and (
        path.startswith("/+") or path.startswith("/joinchat")
    ):
        return "invite"
    if _ends_with_domain(domain, ("chat.whatsapp.com",)):
        return "invite"
    if _ends_with_domain(domain, MESSENGERS):
        return "messenger"
    if _ends_with_domain(domain, SHORTENERS):
        return "shortener"
    return "web"


def find_mentions(text: str, parsed: tuple[str, ...] = ()) -> list[Mention]:
    mentions = (
        [Mention(m.group(1).casefold(), _mention_kind(m.group(1)), m.span()) for m in _MENTION.finditer(text)]
        if "@" in text
        else []
    )
    names = {m.name for m in mentions}
    for raw in parsed:
        name = raw.lstrip("@").casefold()
        if name and name not in names:
            mentions.append(Mention(name, _mention_kind(name), (0, 0)))
    return mentions


def _mention_kind(name: str) -> str:
    return "bot" if name.casefold().endswith("bot") else "account"


# Pay rates: "от 1500 в день", "до 2000 ₽ в день", "$500/day", "100 баксов в день".
_PAY_RATE = re.compile(
    r"(?:\b(?:от|до|from|up to)\s*\d[\d\s.,]*\s*(?:k|к|тыс\w*|т\.р\.?)?"
    r"\s*(?:₽|\$|€|руб\w*|р\.?|грн|usd|долл\w*|бакс\w*)?"
    r"\s*(?:в|за|на|per|a|/)\s*(?:день|сутки|неделю|час|day|week|hour)\b"
    r"|\d[\d\s.,]*\s*(?:k|к)?\s*(?:\$|€|usd|долл\w*|бакс\w*|зел[её]н\w*)"
    r"\s*(?:в|за|на|per|a|/)\s*(?:день|сутки|неделю|месяц|мес|час|day|week|month|hour)\b)",
    re.IGNORECASE,
)
# Emoji that spam leans on: money, fire, pointing hands, check marks.
_HYPE = re.compile(
    "[\U0001f4b0\U0001f4b5\U0001f4b8\U0001f525\U0001f449\U0001f447\u2705\u2714\U0001f4f2\U0001f4e9\U0001f381]"
)


def find_pay_rates(text: str) -> list[tuple[int, int]]:
    if not _DIGIT.search(text) or not any(map(text.lower().__contains__, _PAY_PERIODS)):
        return []
    return [m.span() for m in _PAY_RATE.finditer(text)]


def count_hype(text: str) -> int:
    return len(_HYPE.findall(text))


def find_phones(text: str) -> list[tuple[str, tuple[int, int]]]:
    if not _THREE_DIGITS.search(text):
        return []
    return [(m.group(), m.span()) for m in _PHONE.finditer(text)]


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
