"""The platform-neutral message every adapter produces and every handler consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChatKind(StrEnum):
    GROUP = "group"
    STAFF = "staff"
    PRIVATE = "private"
    WALL_COMMENT = "wall_comment"
    BOARD_COMMENT = "board_comment"


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    MODERATOR = "moderator"
    BOT = "bot"
    SELF = "self"  # the bot's own messages: never moderated


@dataclass(frozen=True, slots=True)
class Author:
    key: str | None  # "tg:123"; None for a one-off sender whose history is never kept
    name: str = ""
    username: str | None = None
    role: Role = Role.MEMBER
    reach: int | None = None  # subscribers or followers where the platform tells
    newcomer: bool = False  # joined within the policy's probation


@dataclass(frozen=True, slots=True)
class Event:
    platform: str
    chat: str  # "tg:-1001234567890"
    chat_kind: ChatKind
    message_id: str
    author: Author
    text: str
    at: datetime
    update_id: str | None = None
    links: tuple[str, ...] = ()  # URLs the platform parsed (entities, buttons)
    mentions: tuple[str, ...] = ()  # "@name" the platform parsed
    forwarded_from_channel: bool = False
    shadow: bool = False  # the bot lacks the rights to act in this chat: record "would have" only
    reply_to: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
