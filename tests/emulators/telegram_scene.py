"""The world-building half of the emulator: people and what they do, as Telegram reports it to bots.

Setup calls (add_user, add_chat, set_member) change state silently; the others are events the bot hears
about through updates exactly when the real server would send them.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from .telegram_forum import in_topic, thread_of
from .telegram_methods import Methods, legacy_forward_fields
from .telegram_state import CHAT_TYPES, Chat, Member, User, World, make_member
from .telegram_text import find_entities
from .telegram_updates import UpdateFeed


class Scene:
    """World-building methods of BotApiEmulator."""

    bot_id: int
    world: World
    now: Callable[[], float]
    _feed: UpdateFeed
    _methods: Methods

    def __init__(self) -> None:
        self._callback_count = 0
        self._file_count = 0

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.world.bot.to_dict()

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        is_bot: bool = False,
        *,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        user = User(user_id, first_name, username, is_bot, last_name, language_code)
        self.world.users[user_id] = user
        return user.to_dict()

    def add_chat(
        self,
        chat_id: int,
        type: str = "supergroup",
        title: str | None = None,
        username: str | None = None,
        *,
        is_forum: bool = False,
    ) -> dict[str, Any]:
        """A chat; a private chat's id is its user's id and means the user has started the bot. Only a
        supergroup can be a forum (have topics)."""
        if type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}; one of {sorted(CHAT_TYPES)}")
        if is_forum and type != "supergroup":
            raise ValueError("only supergroups can be forums")
        if (chat_id > 0) != (type == "private"):
            raise ValueError(
                "private chats have positive ids (the user's), groups and channels negative ones"
            )
        if type == "private":
            user = self.world.user(chat_id)
            chat = Chat(
                chat_id, type, username=user.username, first_name=user.first_name, last_name=user.last_name
            )
            for member_id in (chat_id, self.bot_id):
                self.world.members[(chat_id, member_id)] = Member("member")
        else:
            chat = Chat(chat_id, type, title or f"Chat {chat_id}", username, is_forum=is_forum)
        self.world.chats[chat_id] = chat
        return chat.to_dict()

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str = "member",
        *,
        until_date: int = 0,
        is_member: bool = True,
        custom_title: str | None = None,
        **rights: bool,
    ) -> dict[str, Any]:
        """Sets a membership silently (no update): the state before the scene starts.

        An administrator has every right unless given False (can_delete_messages=False...); a restricted
        member has no permission unless given True (can_send_messages=True...).
        """
        self.world.chat(chat_id)
        self.world.user(user_id)
        member = make_member(status, until_date=until_date, is_member=is_member, **rights)
        member.custom_title = custom_title
        self.world.members[(chat_id, user_id)] = member
        return self.world.member_dict(chat_id, user_id)

    def change_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        *,
        by: int | None = None,
        until_date: int = 0,
        is_member: bool = True,
        **rights: bool,
    ) -> dict[str, Any]:
        """Changes a membership as an event caused by `by` (default: the chat's owner, or in a private chat
        its user, e.g. blocking the bot with status "kicked"). The bot gets my_chat_member about itself,
        chat_member about others (in groups, and only while it is an administrator there)."""
        member = make_member(status, until_date=until_date, is_member=is_member, **rights)
        self.world.change_member(
            chat_id, user_id, member, by if by is not None else self._owner(chat_id, user_id)
        )
        return self.world.member_dict(chat_id, user_id)

    def promote(self, chat_id: int, user_id: int, *, by: int | None = None, **rights: bool) -> dict[str, Any]:
        return self.change_member(chat_id, user_id, "administrator", by=by, **rights)

    def demote(self, chat_id: int, user_id: int, *, by: int | None = None) -> dict[str, Any]:
        return self.change_member(chat_id, user_id, "member", by=by)

    def add_bot_to_chat(
        self, chat_id: int, status: str = "member", *, by: int | None = None, **rights: bool
    ) -> dict[str, Any]:
        """The bot joins (or, with status "left"/"kicked", is removed): my_chat_member, and in groups the
        service message about it, as Telegram sends them."""
        chat = self.world.chat(chat_id)
        actor = by if by is not None else self._owner(chat_id, self.bot_id)
        was_present = self.world.member(chat_id, self.bot_id).present
        self.change_member(chat_id, self.bot_id, status, by=actor, **rights)
        present = self.world.member(chat_id, self.bot_id).present
        if chat.type in {"group", "supergroup"} and was_present != present:
            key = "new_chat_members" if present else "left_chat_member"
            value: Any = [self.bot_user] if present else self.bot_user
            self.world.post(
                self.world.user_message(chat, self.world.user(actor), int(self.now()), **{key: value})
            )
        return self.world.member_dict(chat_id, self.bot_id)

    def join(self, chat_id: int, user_id: int, *, by: int | None = None) -> dict[str, Any]:
        """A user joins (or is added by `by`): chat_member, then the service message new_chat_members."""
        chat, user = self.world.chat(chat_id), self.world.user(user_id)
        old = self.world.member(chat_id, user_id)
        if old.status == "kicked" or old.present:
            raise ValueError(f"user {user_id} cannot join chat {chat_id}: status {old.status!r}")
        actor = self.world.user(by) if by is not None else user
        # A restricted user stays restricted across leaving and joining.
        new = dataclasses.replace(old, is_member=True) if old.status == "restricted" else Member("member")
        self.world.change_member(chat_id, user_id, new, actor.id)
        message = self.world.user_message(chat, actor, int(self.now()), new_chat_members=[user.to_dict()])
        self.world.post(message)
        return copy.deepcopy(message)

    def leave(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """A user leaves: chat_member, then the service message left_chat_member."""
        chat, user = self.world.chat(chat_id), self.world.user(user_id)
        old = self.world.member(chat_id, user_id)
        if not old.present or old.status == "creator":
            raise ValueError(f"user {user_id} cannot leave chat {chat_id}: status {old.status!r}")
        new = dataclasses.replace(old, is_member=False) if old.status == "restricted" else Member("left")
        self.world.change_member(chat_id, user_id, new, user_id)
        message = self.world.user_message(chat, user, int(self.now()), left_chat_member=user.to_dict())
        self.world.post(message)
        return copy.deepcopy(message)

    def send_message(
        self,
        chat_id: int,
        user_id: int | None,
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        entities: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
        thread: int | None = None,
        forward_from_chat: int | dict[str, Any] | None = None,
        forward_from_user: int | dict[str, Any] | None = None,
        forward_message_id: int = 1,
        reply_markup: dict[str, Any] | None = None,
        date: int | None = None,
        new_chat_members: list[int] | None = None,
        left_chat_member: int | None = None,
    ) -> dict[str, Any]:
        """Someone sends a message (in a channel: a post, `user_id` unused); the bot gets "message" or
        "channel_post" if Telegram would deliver it (not, for one, when `date` is over a day ago).

        `entities` replace the automatic ones (url, mention, hashtag, bot_command, email, with UTF-16
        offsets) of the text, or of the caption if there is no text. A user with no membership yet becomes
        a member; one who may not write is refused (ValueError). The service fields only shape the
        message: join() and leave() also change the membership.

        In a forum, the message goes into the topic `thread` (the message_thread_id createForumTopic
        returned), or the topic of the message it replies to; without a `reply_to` it replies to the
        topic's creation message, as messages in topics do. In a closed topic only those who may manage
        topics write.
        """
        chat = self.world.chat(chat_id)
        sender = None if chat.type == "channel" or user_id is None else self.world.user(user_id)
        service = bool(new_chat_members) or left_chat_member is not None
        if text is None and caption is None and not photo and not service:
            raise ValueError("a message needs text, a caption, a photo or a service field")
        if sender is not None and not service:
            self._ensure_can_write(chat, sender.id)
        when = int(self.now()) if date is None else date
        content: dict[str, Any] = {}
        replied = None
        if reply_to is not None:
            replied = self.world.get_message(chat_id, reply_to)
            if replied is None:
                raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
            content["reply_to_message"] = {
                key: value for key, value in replied.items() if key != "reply_to_message"
            }
        content |= self._topic_fields(chat, sender, thread, replied)
        origin = self._forward_origin(forward_from_chat, forward_from_user, forward_message_id, when)
        if origin is not None:
            content["forward_origin"] = origin
            content |= legacy_forward_fields(origin)
        if photo:
            content["photo"] = self._photo_sizes()
        content["text"], content["caption"] = text, caption
        if entities is not None:
            content["entities" if text is not None else "caption_entities"] = entities
        if new_chat_members:
            content["new_chat_members"] = [self.world.user(member).to_dict() for member in new_chat_members]
        if left_chat_member is not None:
            content["left_chat_member"] = self.world.user(left_chat_member).to_dict()
        content["reply_markup"] = reply_markup
        message = self.world.user_message(chat, sender, when, **content)
        self.world.post(message)
        return copy.deepcopy(message)

    def edit_message(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """Its author edits a message's text: edited_message (or edited_channel_post) with edit_date."""
        message = self.world.get_message(chat_id, message_id)
        if message is None or "text" not in message:
            raise ValueError(f"no text message {message_id} in chat {chat_id}")
        message["text"] = text
        message.pop("entities", None)
        found = find_entities(text)
        if found:
            message["entities"] = found
        message["edit_date"] = int(self.now())
        self.world.post(message, edited=True)
        return copy.deepcopy(message)

    def press_button(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses an inline button: callback_query; returns its id for answerCallbackQuery."""
        message = self.world.get_message(chat_id, message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if data not in {button.get("callback_data") for row in rows for button in row}:
            raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        self._callback_count += 1
        query_id = str(4_000_000_000_000_000_000 + self._callback_count)
        self._methods.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": self.world.user(user_id).to_dict(),
            "message": copy.deepcopy(message),
            "chat_instance": str((chat_id * 2_654_435_761) % 2**63),
            "data": data,
        }
        self._feed.publish("callback_query", query)
        return query_id

    def topic(self, chat_id: int, thread: int) -> dict[str, Any]:
        """A forum topic as it stands: name, icon_color, is_closed."""
        topic = self.world.chat(chat_id).topics.get(thread)
        if topic is None:
            raise ValueError(f"no topic {thread} in chat {chat_id}")
        return {"name": topic.name, "icon_color": topic.icon_color, "is_closed": topic.closed}

    def _topic_fields(
        self, chat: Chat, sender: User | None, thread: int | None, replied: dict[str, Any] | None
    ) -> dict[str, Any]:
        try:
            found = thread_of(chat, thread, replied)
        except LookupError:
            raise ValueError(f"no topic {thread} in chat {chat.id}") from None
        if found is None:
            return {}
        manages = sender is None or self.world.has_right(chat.id, sender.id, "can_manage_topics")
        if chat.topics[found].closed and not manages:
            raise ValueError(f"topic {found} in chat {chat.id} is closed")
        return in_topic(self.world, chat, found, replied)

    def _photo_sizes(self) -> list[dict[str, Any]]:
        self._file_count += 1
        return [
            {
                "file_id": f"AgACAgEmulatorPhoto{self._file_count}x{size}",
                "file_unique_id": f"AQEmu{self._file_count}x{size}",
                "width": size,
                "height": size,
                "file_size": size * 40,
            }
            for size in (90, 320, 800)
        ]

    def _owner(self, chat_id: int, default: int) -> int:
        if self.world.chat(chat_id).type == "private":
            return chat_id
        for (member_chat, user_id), member in self.world.members.items():
            if member_chat == chat_id and member.status == "creator":
                return user_id
        return default

    def _ensure_can_write(self, chat: Chat, user_id: int) -> None:
        """Refuses what Telegram would not let the user send; someone never seen in the chat joins it."""
        if chat.type == "private":
            return
        known = (chat.id, user_id) in self.world.members
        member = self.world.member(chat.id, user_id) if known else Member("member")
        allowed = member.rights if member.status == "restricted" else chat.permissions
        if not member.present or (
            member.status not in {"creator", "administrator"} and not allowed.get("can_send_messages", False)
        ):
            raise ValueError(f"user {user_id} cannot write to chat {chat.id}: status {member.status!r}")
        self.world.members[(chat.id, user_id)] = member

    def _forward_origin(
        self,
        from_chat: int | dict[str, Any] | None,
        from_user: int | dict[str, Any] | None,
        message_id: int,
        date: int,
    ) -> dict[str, Any] | None:
        if from_chat is not None:
            source = from_chat if isinstance(from_chat, dict) else self.world.chat(from_chat).to_dict()
            if source["type"] == "channel":
                return {"type": "channel", "chat": source, "message_id": message_id, "date": date}
            return {"type": "chat", "sender_chat": source, "date": date}
        if from_user is not None:
            sender = from_user if isinstance(from_user, dict) else self.world.user(from_user).to_dict()
            return {"type": "user", "sender_user": sender, "date": date}
        return None
