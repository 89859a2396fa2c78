"""Links and mentions in a message, with their spans in the original text.

The patterns are the project's own and built from fixed character classes, so Python's `re` is safe here;
admin-supplied regexes go through RE2 (detectors/regex.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from policies.confusables import EMOJI

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
# What a broken-up link puts between its pieces: spaces, dots, brackets, invisible characters and emoji.
_GAP = rf"[\s.,()\[\]\u00b7\u2022\u200b-\u200f\u2060\ufeff\ufe0f{EMOJI}]"
# `t . me / cheap`, `t(.)me/x`, `т.ме/cheap`, `vk . com / job`, `t🔹me/🔹job`, `bit . ly / x`: a link broken
# up so that filters miss it.
_SPACED_TG = re.compile(
    rf"(?<!\w)(?:t|т|vk|вк|wa|bit|inst\w*){_GAP}+(?:m{_GAP}?e|м{_GAP}?е|com|ком|ru|ру|ly)"
    rf"{_GAP}*/{_GAP}*\+?[\w-]{{3,}}",
    re.IGNORECASE,
)
# `тг: @shop`, `tg @shop`, `в телеге @shop`, `ищи в тг shop_bot`: pointing to a Telegram account in words.
_TG_HANDLE = re.compile(
    r"(?<!\w)(?:тг|tg|телег[аеиу]|телеграм[еу]?|telegram|инст[аеу]?|inst)\s*[:\-–—]?\s*@?[a-z][\w]{3,31}",
    re.IGNORECASE,
)
# Words without which _TG_HANDLE cannot match (substring tests: far cheaper than an alternation in `re`).
_TG_HINTS = ("тг", "tg", "телег", "telegram", "инст", "inst")
_LATIN = re.compile("[A-Za-z]")  # every handle _TG_HANDLE finds has one
# Every _SPACED_TG match has one: a cheap test before it.
_BROKEN_DOT = re.compile(rf"[tтkкam]{_GAP}+[mмcкrрl]", re.IGNORECASE)
# One post of a channel or wall (t.me/channel/554, vk.com/wall-1_2, vk.com/group?w=wall-1_2): a share of
# something read, weaker than a link to the channel itself.
_POST = re.compile(r"^/[\w-]+/\d+|wall-?\d+_\d+")
_MENTION = re.compile(r"(?<![\w@.])@([a-z][a-z0-9_]{3,31})\b", re.IGNORECASE)

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


class Link(NamedTuple):
    text: str
    domain: str
    kind: str  # invite | messenger | post | shortener | obfuscated | web
    span: tuple[int, int]
    account: str = ""  # a messenger link's account or channel, case-folded: t.me/<account>/...


class Mention(NamedTuple):
    name: str  # without @, case-folded
    kind: str  # bot | account
    span: tuple[int, int]


class Domains:
    """A set of domains with their subdomains, tested in C: `str.endswith` takes a tuple."""

    def __init__(self, domains: tuple[str, ...] | list[str]) -> None:
        self._exact = frozenset(domains)
        self._suffixes = tuple("." + domain for domain in domains)

    def __contains__(self, domain: str) -> bool:
        return domain in self._exact or domain.endswith(self._suffixes)


_TELEGRAM = Domains(("t.me", "telegram.me", "telegram.dog"))
_WHATSAPP_GROUPS = Domains(("chat.whatsapp.com",))
_MESSENGERS = Domains(MESSENGERS)
_SHORTENERS = Domains(SHORTENERS)


def find_links(text: str, parsed: tuple[str, ...] = ()) -> list[Link]:
    text = unicodedata.normalize("NFKC", text)
    links: list[Link] = []
    for start, end in _dotted_pieces(text):
        for match in _URL.finditer(text, start, end):
            domain = match.group(1).lower().removeprefix("www.")
            path = match.group(2) or ""
            links.append(Link(match.group(), domain, _kind(domain, path), match.span(), _account(path)))
    taken = [link.span for link in links]
    rest = _without(text, taken) if taken else text
    patterns = [_SPACED_TG] if "/" in rest and _BROKEN_DOT.search(rest) else []
    if _LATIN.search(rest) and any(map(rest.lower().__contains__, _TG_HINTS)):
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
                path = found.group(2) or ""
                links.append(Link(url, domain, _kind(domain, path), (0, 0), _account(path)))
    return links


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text less the links found, for the tests that decide whether to look for more."""
    pieces = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    return " ".join(pieces)


def _dotted_pieces(text: str) -> list[tuple[int, int]]:
    """The spans between spaces that hold a dot between two letters or digits, as every domain does: the
    only places `_URL` is tried, since trying it at every position of a message is slow."""
    pieces: list[tuple[int, int]] = []
    dot = text.find(".", 1)
    while dot != -1 and dot + 1 < len(text):
        if text[dot - 1].isalnum() and text[dot + 1].isalnum():
            end = text.find(" ", dot)
            end = len(text) if end == -1 else end
            pieces.append((text.rfind(" ", 0, dot) + 1, end))
            dot = end
        dot = text.find(".", dot + 1)
    return pieces


def _kind(domain: str, path: str) -> str:
    if domain in _TELEGRAM and (path.startswith("/+") or path.startswith("/joinchat")):
        return "invite"
    if domain in _WHATSAPP_GROUPS:
        return "invite"
    if domain in _MESSENGERS:
        return "post" if _POST.search(path) else "messenger"
    if domain in _SHORTENERS:
        return "shortener"
    return "web"


def _account(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0].split("?", 1)[0].casefold()


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
