"""Message text as the server stores it: markup parsed into entities, links and mentions detected.

Offsets and lengths are in UTF-16 code units, as in the Bot API. The parsers follow TDLib's
(td/telegram/MessageEntity.cpp), including its error texts, which reach bots as
"Bad Request: can't parse entities: ...", with byte offsets counted in UTF-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .telegram_errors import ApiError, bad_request

Entity = dict[str, Any]

_SPACES = " \t\r\n\v\f"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _parse_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")


# --- automatic entities ------------------------------------------------------------------------

# fmt: off
_KNOWN_TLDS = frozenset({
    "com", "net", "org", "info", "biz", "app", "dev", "xyz", "top", "site", "online", "club",
    "shop", "store", "tech", "pro", "name", "mobi", "live", "life", "world", "today", "news",
    "blog", "cloud", "space", "website", "link", "click", "fun", "icu", "vip", "win", "work",
    "page", "game", "games", "bet", "casino", "money", "finance", "crypto", "exchange", "market",
    "email", "digital", "media", "group", "company", "agency", "network", "social", "ton", "onion",
    "edu", "gov", "mil", "int", "aero", "museum", "jobs", "cat", "travel", "tel", "asia", "post",
    "io",
})
# fmt: on
_URL = re.compile(
    r"(?<![\w@/.-])(?P<scheme>(?:https?|ftp)://)?(?:[\w-]+\.)+(?P<tld>[^\W\d_]{2,24}|xn--[a-z0-9-]+)"
    r"(?::\d{1,5})?(?:[/?#][^\s]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,24}(?![\w@])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")
_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_URL_TAIL = ".,:;!?'\""


def _url_end(match: re.Match[str]) -> int | None:
    """End of a detected link, or None if the text is no link (an unknown top-level domain)."""
    tld = match["tld"].lower()
    if not match["scheme"] and tld not in _KNOWN_TLDS and len(tld) != 2 and tld != "рф":
        return None
    url = match.group()
    while url and (url[-1] in _URL_TAIL or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return match.start() + len(url)


def find_entities(text: str) -> list[Entity]:
    """The entities the server detects by itself: links, e-mails, @mentions, #hashtags, /commands."""
    found: list[tuple[int, int, str]] = []
    for match in _EMAIL.finditer(text):
        found.append((match.start(), match.end(), "email"))
    for match in _URL.finditer(text):
        end = _url_end(match)
        if end is not None:
            found.append((match.start(), end, "url"))
    for kind, pattern in (("mention", _MENTION), ("hashtag", _HASHTAG), ("bot_command", _COMMAND)):
        found.extend((match.start(), match.end(), kind) for match in pattern.finditer(text))
    found.sort(key=lambda item: (item[0], -item[1]))
    entities: list[Entity] = []
    taken_until = 0
    for start, end, kind in found:
        if start < taken_until:
            continue
        taken_until = end
        offset = utf16_len(text[:start])
        entities.append({"offset": offset, "length": utf16_len(text[start:end]), "type": kind})
    return entities


# --- links in markup ---------------------------------------------------------------------------


def _check_link(url: str) -> str | None:
    """The server's normal form of a link given in markup, or None when it drops the entity."""
    url = url.strip()
    if not url:
        return None
    scheme, sep, rest = url.partition("://")
    if not sep:
        if url.lower().startswith(("tg:", "ton:")):
            return url
        scheme, rest = "http", url
    scheme = scheme.lower()
    if scheme not in {"http", "https", "ftp", "tg", "ton"}:
        return None
    if scheme in {"tg", "ton"}:
        return f"{scheme}://{rest}"
    host, slash, path = rest.partition("/")
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None
    return f"{scheme}://{host}/{path}" if slash else f"{scheme}://{host}/"


_USER_LINK = re.compile(r"tg://user\?id=(\d+)$")


def _link_entity(url: str, offset: int, length: int) -> Entity | None:
    user = _USER_LINK.match(url.strip())
    if user:
        return {"offset": offset, "length": length, "type": "text_mention", "user_id": int(user[1])}
    link = _check_link(url)
    return None if link is None else {"offset": offset, "length": length, "type": "text_link", "url": link}


# --- HTML --------------------------------------------------------------------------------------

# fmt: off
_HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
    "span", "pre", "code", "blockquote",
})
# fmt: on
_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY.match(text, pos)
    if not match:
        return None
    if match[3] is not None:
        char = _NAMED_ENTITIES.get(match[3])
        return None if char is None else (char, match.end() - pos)
    code = int(match[1]) if match[1] is not None else int(match[2], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end() - pos


@dataclass
class _Open:
    """An entity whose end is not read yet."""

    tag: str  # an HTML tag, or the entity type in Markdown
    argument: str
    offset: int  # UTF-16 offset in the output text
    start: int  # index into the output characters
    byte_offset: int = 0  # of its markup in the input, for errors


def _read_attributes(text: str, i: int, tag: str, begin: int) -> tuple[str, int]:
    """Reads a start tag's attributes from `i`; returns the tag's argument and the index of its ">"."""
    n = len(text)
    argument = ""
    while i < n and text[i] != ">":
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n or text[i] == ">":
            break
        name_start = i
        while i < n and text[i] not in _SPACES and text[i] != "=":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise _parse_error(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n or text[i] != "=":
            raise _parse_error(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        i += 1
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise _parse_error(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        if text[i] in "'\"":
            quote = text[i]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != quote:
                decoded = _decode_html_entity(text, i) if text[i] == "&" else None
                if decoded:
                    chars.append(decoded[0])
                    i += decoded[1]
                else:
                    chars.append(text[i])
                    i += 1
            i += 1
            value = "".join(chars)
        else:
            token_start = i
            while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                i += 1
            value = text[token_start:i].lower()
            if i < n and text[i] not in _SPACES and text[i] != ">":
                raise _parse_error(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}"
                )
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value.removeprefix("tg-")
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "expandable"
    if i >= n:
        raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    return argument, i


def _html_entity(opened: _Open, length: int, out: list[str], entities: list[Entity]) -> Entity | None:
    tag, offset = opened.tag, opened.offset
    if tag in _HTML_TYPES:
        entity: Entity = {"offset": offset, "length": length, "type": _HTML_TYPES[tag]}
        if tag == "code" and opened.argument:
            entity["language"] = opened.argument
        return entity
    if tag == "a":
        return _link_entity(opened.argument or "".join(out[opened.start :]), offset, length)
    if tag == "pre":
        inner = entities[-1] if entities else None
        if inner and inner["type"] == "code" and (inner["offset"], inner["length"]) == (offset, length):
            entities.pop()
            language = inner.get("language")
            return {"offset": offset, "length": length, "type": "pre"} | (
                {"language": language} if language else {}
            )
        return {"offset": offset, "length": length, "type": "pre"}
    if tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        return {"offset": offset, "length": length, "type": kind}
    if opened.argument:  # tg-emoji
        return {
            "offset": offset,
            "length": length,
            "type": "custom_emoji",
            "custom_emoji_id": opened.argument,
        }
    return None


def parse_html(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []  # output characters
    offset = 0  # UTF-16 units in `out`
    entities: list[Entity] = []
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        decoded = _decode_html_entity(text, i) if char == "&" else None
        if decoded or char != "<":
            piece, step = decoded or (char, 1)
            out.append(piece)
            offset += utf16_len(piece)
            i += step
            continue
        begin = i
        i += 1
        if i >= n or text[i] != "/":
            while i < n and text[i] not in _SPACES and text[i] != ">":
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise _parse_error(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            argument, i = _read_attributes(text, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                raise _parse_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
                )
            stack.append(_Open(tag, argument, offset, len(out)))
            i += 1
            continue
        if not stack:
            raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        name_start = i
        while i < n and text[i] not in _SPACES and text[i] != ">":
            i += 1
        end_tag = text[name_start:i].lower()
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n or text[i] != ">":
            raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        opened = stack.pop()
        if end_tag and end_tag != opened.tag:
            raise _parse_error(
                f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{opened.tag}>", '
                f'found "</{end_tag}>"'
            )
        if offset > opened.offset:
            entity = _html_entity(opened, offset - opened.offset, out, entities)
            if entity:
                entities.append(entity)
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


# --- MarkdownV2 and Markdown -------------------------------------------------------------------

_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _reserved(char: str) -> ApiError:
    return _parse_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _pre_language(text: str, i: int) -> tuple[str, int]:
    """After an opening ```, reads an optional language and one newline; returns it and the content start."""
    end = i
    while end < len(text) and text[end] not in _SPACES and text[end] != "`":
        end += 1
    language = ""
    if end != i and end < len(text) and text[end] != "`":
        language, i = text[i:end], end
    if i < len(text) and text[i] in "\r\n":
        i += 2 if i + 1 < len(text) and text[i + 1] in "\r\n" and text[i + 1] != text[i] else 1
    return language, i


def _v2_closes(kind: str, text: str, i: int) -> bool:
    char, after = text[i], text[i + 1 : i + 3]
    return {
        "bold": char == "*",
        "italic": char == "_" and after[:1] != "_",
        "underline": char == "_" and after[:1] == "_",
        "strikethrough": char == "~",
        "spoiler": char == "|" and after[:1] == "|",
        "code": char == "`",
        "pre": char == "`" and after == "``",
        "text_link": char == "]",
    }[kind]


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []  # output characters
    offset = 0  # UTF-16 units in `out`
    entities: list[Entity] = []
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            offset += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1].tag in {"code", "pre"}
        if char not in ("`" if in_code else _V2_RESERVED):
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        if not stack or not _v2_closes(stack[-1].tag, text, i):
            begin = i
            language = ""
            if char == "_" and text[i + 1 : i + 2] == "_":
                kind, i = "underline", i + 2
            elif char == "|" and text[i + 1 : i + 2] == "|":
                kind, i = "spoiler", i + 2
            elif char == "`" and text[i + 1 : i + 3] == "``":
                kind = "pre"
                language, i = _pre_language(text, i + 3)
            else:
                kinds = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link", "`": "code"}
                if char not in kinds:
                    raise _reserved(char)
                kind, i = kinds[char], i + 1
            stack.append(_Open(kind, language, offset, len(out), _byte_offset(text, begin)))
            continue
        opened = stack.pop()
        kind, start = opened.tag, opened.offset
        i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
        entity: Entity | None = None
        if kind == "text_link":
            if text[i : i + 1] == "(":
                url_start = i + 1
                url: list[str] = []
                i += 1
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
                        i += 1
                    url.append(text[i])
                    i += 1
                if i >= n:
                    raise _parse_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_start)}"
                    )
                i += 1
                link = "".join(url)
            else:
                link = "".join(out[opened.start :])
            if offset > start:
                entity = _link_entity(link, start, offset - start)
        elif offset > start:
            entity = {"offset": start, "length": offset - start, "type": kind}
            if kind == "pre" and opened.argument:
                entity["language"] = opened.argument
        if entity:
            entities.append(entity)
    if stack:
        raise _parse_error(
            f"Can't find end of {_V2_NAMES[stack[-1].tag]} entity at byte offset {stack[-1].byte_offset}"
        )
    return "".join(out), entities


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """The legacy Markdown mode: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out: list[str] = []
    offset = 0
    entities: list[Entity] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in {"_", "*", "`", "["}:
            out.append(text[i + 1])
            offset += 1
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        begin = i
        end_char = "]" if char == "[" else char
        i += 1
        is_pre = char == "`" and text[i : i + 2] == "``"
        language = ""
        if is_pre:
            language, i = _pre_language(text, i + 2)
        start, content_start = offset, i
        while i < n and (text[i] != end_char or (is_pre and text[i + 1 : i + 3] != "``")):
            i += 1
        if i >= n:
            raise _parse_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        content = text[content_start:i]
        out.append(content)
        offset += utf16_len(content)
        length = offset - start
        entity: Entity | None = None
        if char == "[":
            link = content
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                close = n if close < 0 else close
                link, i = text[i + 2 : close], close
            entity = _link_entity(link, start, length) if length else None
        elif length:
            kind = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code"}[char]
            entity = {"offset": start, "length": length, "type": kind}
            if is_pre and language:
                entity["language"] = language
        if entity:
            entities.append(entity)
        i += 3 if is_pre else 1
    return "".join(out), entities


# --- what the server stores ---------------------------------------------------------------------

_STYLE_TYPES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote"})


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append(entity | {"offset": start, "length": end - start})
    return stripped, kept


def _validate_entities(entities: Any) -> list[Entity]:
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    for entity in entities:
        if not (
            isinstance(entity, dict)
            and isinstance(entity.get("offset"), int)
            and isinstance(entity.get("length"), int)
            and isinstance(entity.get("type"), str)
        ):
            raise bad_request("can't parse MessageEntity: expected an Object with offset, length and type")
    return [dict(entity) for entity in entities]


def format_text(text: str, parse_mode: str | None, entities: Any = None) -> tuple[str, list[Entity]]:
    """A bot's outgoing text as stored: parsed (parse_mode wins over entities), trimmed, links detected.

    Entities of type text_mention carry "user_id" in place of "user"; the caller fills in the user.
    """
    mode = (parse_mode or "").lower()
    if mode in {"", "none"}:
        given = _validate_entities(entities)
    elif mode == "html":
        text, given = parse_html(text)
    elif mode == "markdownv2":
        text, given = parse_markdown_v2(text)
    elif mode == "markdown":
        text, given = parse_markdown(text)
    else:
        raise bad_request("unsupported parse_mode")
    text, given = _trim(text, given)
    covered = [(e["offset"], e["offset"] + e["length"]) for e in given if e["type"] not in _STYLE_TYPES]
    for found in find_entities(text):
        start, end = found["offset"], found["offset"] + found["length"]
        if all(end <= a or start >= b for a, b in covered):
            given.append(found)
    given.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return text, given
