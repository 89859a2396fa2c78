"""Telegram updates -> the platform-neutral `Event`. Everything a member can hide an ad in counts as text:
the message, its caption and the texts and URLs of its inline buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message, MessageEntity

from policies.events import Author, ChatKind, Event, Role

PLATFORM = "tg"


def chat_key(chat_id: int) -> str:
    return f"{PLATFORM}:{chat_id}"


def member_key(user_id: int) -> str:
    return f"{PLATFORM}:{user_id}"


def platform_id(key: str) -> int:
    """`tg:-100123` -> -100123."""
    return int(key.partition(":")[2])


def message_event(
    message: Message,
    update_id: int | None,
    role: Role,
    chat_kind: ChatKind,
    edited: bool = False,
    newcomer: bool = False,
) -> Event:
    text_parts = [message.text or message.caption or ""]
    links: list[str] = []
    mentions: list[str] = []
    for entity, source in _entities(message):
        if entity.type == "text_link" and entity.url:
            links.append(entity.url)
        elif entity.type == "url":
            links.append(entity.extract_from(source))
        elif entity.type == "mention":
            mentions.append(entity.extract_from(source))
    markup = message.reply_markup
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                text_parts.append(button.text)
                if button.url:
                    links.append(button.url)
    user = message.from_user
    name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else ""
    if message.sender_chat is not None:
        name = message.sender_chat.title or name
    at = message.edit_date if edited and message.edit_date else message.date
    return Event(
        platform=PLATFORM,
        chat=chat_key(message.chat.id),
        chat_kind=chat_kind,
        message_id=str(message.message_id),
        author=Author(_author_key(message), name, user.username if user else None, role, newcomer=newcomer),
        text="\n".join(p for p in text_parts if p),
        at=at,  # type: ignore[arg-type]  # aiogram gives an aware UTC datetime
        update_id=f"{update_id}" if update_id is not None else None,
        links=tuple(links),
        mentions=tuple(mentions),
        forwarded_from_channel=_from_channel(message),
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
    )


def _author_key(message: Message) -> str | None:
    """A member may post as one of their channels: the channel is then the one to hold to account."""
    if message.sender_chat is not None:
        return member_key(message.sender_chat.id)
    return member_key(message.from_user.id) if message.from_user else None


def _entities(message: Message) -> list[tuple[MessageEntity, str]]:
    if message.text is not None:
        return [(e, message.text) for e in message.entities or ()]
    if message.caption is not None:
        return [(e, message.caption) for e in message.caption_entities or ()]
    return []


def _from_channel(message: Message) -> bool:
    origin = message.forward_origin
    if origin is not None:
        return origin.type == "channel"
    return False
