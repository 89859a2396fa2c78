"""The emulated Telegram world: users, chats, memberships and messages, and the updates they cause.

Objects leave this module as plain dicts in Bot API shape. Membership follows Telegram's rules for
what a ChatMember looks like per chat type and for temporary bans and restrictions ending by themselves.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .telegram_errors import bad_request, forbidden
from .telegram_text import find_entities

log = logging.getLogger(__name__)

CHAT_TYPES = frozenset({"private", "group", "supergroup", "channel"})
STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})

# Administrator rights every ChatMemberAdministrator carries, then those shown only in some chat types.
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_change_info",
    "can_delete_messages",
    "can_invite_users",
    "can_restrict_members",
    "can_promote_members",
    "can_manage_video_chats",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)
_CHANNEL_RIGHTS = ("can_post_messages", "can_edit_messages")
_GROUP_RIGHTS = ("can_pin_messages",)
_SUPERGROUP_RIGHTS = ("can_manage_topics",)
ALL_ADMIN_RIGHTS = frozenset(ADMIN_RIGHTS + _CHANNEL_RIGHTS + _GROUP_RIGHTS + _SUPERGROUP_RIGHTS)
_RIGHTS_BY_CHAT_TYPE = {
    "private": (),
    "group": _GROUP_RIGHTS,
    "supergroup": _GROUP_RIGHTS + _SUPERGROUP_RIGHTS,
    "channel": _CHANNEL_RIGHTS,
}

# The permissions restrictChatMember sets; "all of them True" lifts a restriction.
PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)
# Newer permissions, defaulting (per the Bot API docs) to another one when not given.
_DERIVED_PERMISSIONS = {"can_react_to_messages": "can_send_messages", "can_edit_tag": "can_pin_messages"}
ALL_PERMISSIONS = frozenset(PERMISSIONS) | frozenset(_DERIVED_PERMISSIONS)

Publish = Callable[[str, dict[str, Any]], None]


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    is_bot: bool = False
    last_name: str | None = None
    language_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class Topic:
    """A forum topic; its id (message_thread_id) is the id of the service message that created it."""

    name: str
    icon_color: int
    creator: int
    closed: bool = False


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    # Default member permissions of a group (getChat's "permissions").
    permissions: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PERMISSIONS, True))
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, Topic] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        data["type"] = self.type
        if self.is_forum:  # the server sends the flag only when it is true, in every Chat object
            data["is_forum"] = True
        return data


@dataclass
class Member:
    status: str
    until_date: int = 0
    rights: dict[str, bool] = field(default_factory=dict)  # administrator rights or restricted permissions
    is_member: bool = True  # for "restricted"
    custom_title: str | None = None

    @property
    def present(self) -> bool:
        """In the chat now (Telegram's is_chat_member)."""
        if self.status == "restricted":
            return self.is_member
        return self.status in {"creator", "administrator", "member"}


def make_member(status: str, *, until_date: int = 0, is_member: bool = True, **rights: bool) -> Member:
    """A membership from world-building arguments; unknown right names are refused to catch typos.

    Administrators get every right unless told otherwise; restricted members get no permission unless told.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown member status {status!r}; one of {sorted(STATUSES)}")
    allowed = (
        ALL_ADMIN_RIGHTS
        if status == "administrator"
        else ALL_PERMISSIONS
        if status == "restricted"
        else set()
    )
    unknown = set(rights) - set(allowed)
    if unknown:
        raise ValueError(f"{sorted(unknown)} do not apply to a {status!r} member")
    if status == "administrator":
        return Member(status, rights=dict.fromkeys(ALL_ADMIN_RIGHTS, True) | rights)
    if status == "restricted":
        return Member(status, until_date, dict.fromkeys(PERMISSIONS, False) | rights, is_member)
    return Member(status, until_date if status == "kicked" else 0)


def permission_values(permissions: dict[str, bool]) -> dict[str, bool]:
    values = {name: bool(permissions.get(name, False)) for name in PERMISSIONS}
    for name, default in _DERIVED_PERMISSIONS.items():
        values[name] = bool(permissions.get(name, values[default]))
    return values


class World:
    """Users, chats, memberships and messages. Changes that Telegram reports to bots go to `publish`,
    filtered the way the server filters them for this bot (membership, privacy mode, age)."""

    def __init__(
        self, bot: User, clock: Callable[[], float], publish: Publish, *, privacy_mode: bool
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.publish = publish
        self.privacy_mode = privacy_mode
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.members: dict[tuple[int, int], Member] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.deleted: dict[int, set[int]] = {}
        self._last_message_id: dict[int, int] = {}

    def now(self) -> int:
        return int(self.clock())

    # --- lookups --------------------------------------------------------------------------------

    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id}; add_user() first") from None

    def chat(self, chat_id: int) -> Chat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise ValueError(f"unknown chat {chat_id}; add_chat() first") from None

    def member(self, chat_id: int, user_id: int) -> Member:
        """The membership now: a temporary ban or restriction whose until_date has passed is over."""
        member = self.members.get((chat_id, user_id))
        if member is None:
            return Member("left")
        if member.status in {"kicked", "restricted"} and 0 < member.until_date <= self.now():
            member = (
                Member("member") if member.status == "restricted" and member.is_member else Member("left")
            )
            self.members[(chat_id, user_id)] = member
        return member

    def has_right(self, chat_id: int, user_id: int, right: str) -> bool:
        member = self.member(chat_id, user_id)
        return member.status == "creator" or (
            member.status == "administrator" and member.rights.get(right, False)
        )

    def is_admin(self, chat_id: int, user_id: int) -> bool:
        return self.member(chat_id, user_id).status in {"creator", "administrator"}

    def member_dict(self, chat_id: int, user_id: int) -> dict[str, Any]:
        return self.render_member(self.chat(chat_id), self.user(user_id), self.member(chat_id, user_id))

    def render_member(self, chat: Chat, user: User, member: Member) -> dict[str, Any]:
        data: dict[str, Any] = {"user": user.to_dict(), "status": member.status}
        if member.status == "creator":
            data["is_anonymous"] = False
        elif member.status == "administrator":
            shown = ADMIN_RIGHTS + _RIGHTS_BY_CHAT_TYPE[chat.type]
            data["can_be_edited"] = False
            data["is_anonymous"] = False
            data.update({name: member.rights.get(name, False) for name in shown})
        elif member.status == "restricted":
            data["is_member"] = member.is_member
            data.update(permission_values(member.rights))
            data["until_date"] = member.until_date
        elif member.status == "kicked":
            data["until_date"] = member.until_date
        if member.custom_title and member.status in {"creator", "administrator"}:
            data["custom_title"] = member.custom_title
        return data

    def get_message(self, chat_id: int, message_id: Any) -> dict[str, Any] | None:
        return self.messages.get(chat_id, {}).get(message_id) if isinstance(message_id, int) else None

    def known_user(self, user_id: int) -> User:
        """A user for a method call: Telegram refuses ids it has never seen."""
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    def check_access(self, chat_ref: Any, need: str) -> Chat:
        """The chat a method names, if the bot may use it so; `need` is "read", "members" or "write".

        Mirrors the server's check_chat_access: a supergroup or channel needs membership even to read
        unless it is public (has a username); a basic group needs it to write or list members.
        """
        if chat_ref is None or chat_ref == "":
            raise bad_request("chat_id is empty")
        chat = self._resolve(chat_ref)
        bot = self.member(chat.id, self.bot.id)
        if chat.type == "private":
            if need == "write":
                if chat.id not in self.chats:
                    raise forbidden("bot can't initiate conversation with a user")
                if self.users[chat.id].is_bot:
                    raise forbidden("bot can't send messages to bots")
                if bot.status == "kicked":
                    raise forbidden("bot was blocked by the user")
            return chat
        if chat.type == "group":
            if need != "read" and bot.status in {"kicked", "left"}:
                verb = "was kicked from" if bot.status == "kicked" else "is not a member of"
                raise forbidden(f"bot {verb} the group chat")
            return chat
        if bot.status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if not bot.present and (need == "write" or not chat.username):
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _resolve(self, chat_ref: Any) -> Chat:
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            name = chat_ref[1:].lower()
            for chat in self.chats.values():
                if chat.type in {"supergroup", "channel"} and (chat.username or "").lower() == name:
                    return chat
        elif isinstance(chat_ref, int):
            if chat_ref in self.chats:
                return self.chats[chat_ref]
            user = self.users.get(chat_ref)
            if user is not None and user.id != self.bot.id:  # known, but has not started the bot
                return Chat(user.id, "private", username=user.username, first_name=user.first_name)
        raise bad_request("chat not found")

    # --- changes --------------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def store(self, message: dict[str, Any]) -> None:
        self.messages.setdefault(message["chat"]["id"], {})[message["message_id"]] = message

    def delete(self, chat_id: int, message_id: int) -> None:
        del self.messages[chat_id][message_id]
        self.deleted.setdefault(chat_id, set()).add(message_id)

    def change_member(self, chat_id: int, user_id: int, new: Member, actor_id: int) -> None:
        """Sets a membership as an event `actor_id` causes: the bot hears of it as my_chat_member (about
        itself) or chat_member (about others, only as an administrator). No change, no update."""
        chat, user = self.chat(chat_id), self.user(user_id)
        old = self.member(chat_id, user_id)
        if old == new:
            return
        self.members[(chat_id, user_id)] = new
        update = {
            "chat": chat.to_dict(),
            "from": self.user(actor_id).to_dict(),
            "date": self.now(),
            "old_chat_member": self.render_member(chat, user, old),
            "new_chat_member": self.render_member(chat, user, new),
        }
        if user_id == self.bot.id:
            self.publish("my_chat_member", update)
        elif chat.type != "private" and self.is_admin(chat_id, self.bot.id):
            self.publish("chat_member", update)

    def post(self, message: dict[str, Any], *, edited: bool = False) -> None:
        """Stores a message someone else sent and tells the bot, if the server would."""
        self.store(message)
        if self._hears(message):
            channel = message["chat"]["type"] == "channel"
            kind = ("edited_" if edited else "") + ("channel_post" if channel else "message")
            self.publish(kind, copy.deepcopy(message))
        else:
            log.debug(
                "the bot does not hear message %s in chat %s", message["message_id"], message["chat"]["id"]
            )

    def _hears(self, message: dict[str, Any]) -> bool:
        chat = self.chats[message["chat"]["id"]]
        if message.get("edit_date", message["date"]) <= self.now() - 86400:
            return False  # the server drops updates about messages older than a day
        if chat.type == "private":
            return True
        if message.get("from", {}).get("is_bot") and {"text", "caption", "photo"} & message.keys():
            return False  # bots never see other bots' messages in groups
        bot = self.member(chat.id, self.bot.id)
        if not bot.present:
            left = message.get("left_chat_member")
            return left is not None and left["id"] == self.bot.id
        if not self.privacy_mode or chat.type == "channel" or bot.status in {"creator", "administrator"}:
            return True
        return self._meant_for_bot(message)

    def _meant_for_bot(self, message: dict[str, Any]) -> bool:
        """Privacy mode: what a non-admin bot still gets in a group."""
        if not ({"text", "caption", "photo"} & message.keys()):
            return True  # service messages
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot.id:
            return True
        text = message.get("text", message.get("caption", ""))
        entities = message.get("entities", message.get("caption_entities", []))
        mention = f"@{self.bot.username}".lower()
        for entity in entities:
            value = text.encode("utf-16-le")[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])]
            word = value.decode("utf-16-le").lower()
            if entity["type"] == "mention" and word == mention:
                return True
            if entity["type"] == "bot_command" and (entity["offset"] == 0 or word.endswith(mention)):
                return True
        return False

    def user_message(self, chat: Chat, sender: User | None, date: int, **content: Any) -> dict[str, Any]:
        """A message dict for content someone sends; text and caption get the server's automatic entities."""
        message: dict[str, Any] = {"message_id": self.next_message_id(chat.id)}
        if chat.type == "channel":
            message["sender_chat"] = chat.to_dict()
        elif sender is not None:
            message["from"] = sender.to_dict()
        message["chat"] = chat.to_dict()
        message["date"] = date
        for key, value in content.items():
            if value is not None:
                message[key] = value
        for key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
            if key in message and entities_key not in message:
                found = find_entities(message[key])
                if found:
                    message[entities_key] = found
        return message
