"""Forum supergroups: topics, and messages in them, with the official server's rules and error texts.

A topic is a thread whose id (message_thread_id) is the id of its service message forum_topic_created.
A message in a topic carries message_thread_id and is_topic_message; one that replies to nothing in
particular replies, in the server's shape, to that service message.
"""

from __future__ import annotations

import copy
from typing import Any

from .telegram_errors import bad_request
from .telegram_state import Chat, Topic, World

# The colors a topic's icon may have (the Bot API's list); the server picks one when none is given.
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME = 128
THREAD_NOT_FOUND = "message thread not found"


def thread_of(chat: Chat, named: Any, reply: dict[str, Any] | None) -> int | None:
    """The topic a message goes into: the one named, else the replied message's; None for the General
    topic (or a chat without topics). LookupError for a thread the chat does not have."""
    thread = named if isinstance(named, int) and named > 0 else None
    if thread is None and reply is not None and reply.get("is_topic_message"):
        thread = reply.get("message_thread_id")
    if thread is not None and (not chat.is_forum or thread not in chat.topics):
        raise LookupError(thread)
    return thread


def in_topic(world: World, chat: Chat, thread: int, reply: dict[str, Any] | None) -> dict[str, Any]:
    """The fields of a message in a topic, reply_to_message included (without its own reply)."""
    replied = reply if reply is not None else world.get_message(chat.id, thread)
    fields: dict[str, Any] = {"message_thread_id": thread, "is_topic_message": True}
    if replied is not None:
        fields["reply_to_message"] = {
            key: copy.deepcopy(value) for key, value in replied.items() if key != "reply_to_message"
        }
    return fields


class ForumMethods:
    w: World

    def _forum(self, params: dict[str, Any]) -> Chat:
        chat = self.w.check_access(params.get("chat_id"), "write")
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: Chat, params: dict[str, Any]) -> tuple[int, Topic]:
        thread = params.get("message_thread_id")
        if not isinstance(thread, int) or thread not in chat.topics:
            raise bad_request(THREAD_NOT_FOUND)
        return thread, chat.topics[thread]

    def _service(self, chat: Chat, message_id: int, where: dict[str, Any], **content: Any) -> None:
        """A service message the bot caused: stored, and not sent to the bot (its own doing)."""
        self.w.store(
            {
                "message_id": message_id,
                "from": self.w.bot.to_dict(),
                "chat": chat.to_dict(),
                "date": self.w.now(),
                **where,
                **content,
            }
        )

    def create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        """Needs the chat's owner or an administrator with can_manage_topics; a name longer than 128
        characters is cut, as the server does."""
        chat = self._forum(params)
        if not self.w.has_right(chat.id, self.w.bot.id, "can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        name = str(params.get("name") or "").strip()[:MAX_TOPIC_NAME]
        if not name:
            raise bad_request("title must be non-empty")
        color = params.get("icon_color")
        if color not in ICON_COLORS:
            color = ICON_COLORS[len(chat.topics) % len(ICON_COLORS)]
        thread = self.w.next_message_id(chat.id)
        chat.topics[thread] = Topic(name, color, self.w.bot.id)
        created = {"name": name, "icon_color": color}
        where = {"message_thread_id": thread, "is_topic_message": True}
        self._service(chat, thread, where, forum_topic_created=created)
        return {"message_thread_id": thread, **created}

    def close_forum_topic(self, params: dict[str, Any]) -> bool:
        """The topic's creator, or an administrator with can_manage_topics; closing a closed topic fails."""
        chat = self._forum(params)
        thread, topic = self._topic(chat, params)
        bot_id = self.w.bot.id
        if topic.creator != bot_id and not self.w.has_right(chat.id, bot_id, "can_manage_topics"):
            raise bad_request("not enough rights to close or open the topic")
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        where = in_topic(self.w, chat, thread, None)
        self._service(chat, self.w.next_message_id(chat.id), where, forum_topic_closed={})
        return True

    def _into_topic(self, chat: Chat, params: dict[str, Any], reply: dict[str, Any] | None) -> dict[str, Any]:
        """For a message the bot sends: the topic's fields, or {} outside topics. Only those who may
        manage topics write in a closed one."""
        try:
            thread = thread_of(chat, params.get("message_thread_id"), reply)
        except LookupError:
            raise bad_request(THREAD_NOT_FOUND) from None
        if thread is None:
            return {}
        if chat.topics[thread].closed and not self.w.has_right(chat.id, self.w.bot.id, "can_manage_topics"):
            raise bad_request("TOPIC_CLOSED")
        return in_topic(self.w, chat, thread, reply)
