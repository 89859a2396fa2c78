"""The emulated VK world as a community bot sees it: people, the community, its chats, wall, board and bans.

Objects leave this module as plain dicts in the shape of API version 5.199 (the version vkbottle 4 sends).
In chats a community never learns message ids: its messages there have "id": 0 and are addressed by
conversation_message_id, as on the real VK.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

API_VERSION = "5.199"
CHAT_PEER_OFFSET = 2_000_000_000
# Manager roles by rights, lowest first; "advertiser" manages ads only and moderates nothing.
MODERATING_ROLES = ("moderator", "editor", "administrator", "creator")
MANAGER_ROLES = frozenset(MODERATING_ROLES) | {"advertiser"}
# What deleting "for everybody" allows for one's own message, and what editing allows.
DELETE_FOR_ALL_WINDOW = 24 * 3600
EDIT_WINDOW = 24 * 3600

Publish = Callable[[str, dict[str, Any]], object]


@dataclass(frozen=True)
class Caller:
    """Who a token belongs to: the community ("group") or a person ("user")."""

    kind: str
    id: int


# Which tokens a method accepts (VK's access_token_type).
GROUP_ONLY = frozenset({"group"})
USER_ONLY = frozenset({"user"})
ANY_TOKEN = frozenset({"group", "user"})


@dataclass
class User:
    id: int
    first_name: str
    last_name: str = ""
    screen_name: str | None = None
    # Whether the community may write to this user first (the user wrote to it or allowed its messages).
    messages_allowed: bool = False

    def profile(self, fields: Iterable[str] = ()) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "can_access_closed": True,
            "is_closed": False,
        }
        wanted = set(fields)
        for name in ("screen_name", "domain"):
            if name in wanted:
                data[name] = self.screen_name or f"id{self.id}"
        return data


@dataclass
class Community:
    id: int
    name: str
    screen_name: str
    managers: dict[int, str] = field(default_factory=dict)  # user id -> role
    members: set[int] = field(default_factory=set)

    def to_dict(self, fields: Iterable[str] = ()) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "screen_name": self.screen_name,
            "is_closed": 0,
            "type": "group",
        }
        if "members_count" in set(fields):
            data["members_count"] = len(self.members)
        return data


@dataclass
class ChatMember:
    member_id: int
    invited_by: int
    join_date: int
    is_admin: bool = False
    is_owner: bool = False


@dataclass
class Chat:
    chat_id: int
    title: str
    owner_id: int
    members: dict[int, ChatMember] = field(default_factory=dict)

    @property
    def peer_id(self) -> int:
        return CHAT_PEER_OFFSET + self.chat_id


@dataclass
class Message:
    peer_id: int
    cmid: int
    id: int  # 0 in chats
    from_id: int
    date: int
    text: str
    version: int
    random_id: int = 0
    keyboard: dict[str, Any] | None = None
    payload: str | None = None
    action: dict[str, Any] | None = None
    reply_message: dict[str, Any] | None = None
    fwd_messages: list[dict[str, Any]] = field(default_factory=list)
    update_time: int | None = None
    deleted_for_all: bool = False
    hidden_for_community: bool = False  # deleted without delete_for_all: gone for the community only

    def to_dict(self, community_id: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": self.date,
            "from_id": self.from_id,
            "id": self.id,
            "version": self.version,
            "out": int(self.from_id == -community_id),
            "attachments": [],
            "conversation_message_id": self.cmid,
            "fwd_messages": copy.deepcopy(self.fwd_messages),
            "important": False,
            "is_hidden": False,
            "peer_id": self.peer_id,
            "random_id": self.random_id,
            "text": self.text,
        }
        for key in ("action", "reply_message", "keyboard", "payload", "update_time"):
            value = getattr(self, key)
            if value is not None:
                data[key] = copy.deepcopy(value)
        return data

    def as_foreign(self) -> dict[str, Any]:
        """As it appears inside another message (reply_message, fwd_messages)."""
        return {
            "date": self.date,
            "from_id": self.from_id,
            "text": self.text,
            "attachments": [],
            "conversation_message_id": self.cmid,
            "peer_id": self.peer_id,
            "id": self.id,
        }


@dataclass
class WallPost:
    id: int
    from_id: int
    date: int
    text: str


@dataclass
class Topic:
    id: int
    title: str
    created_by: int
    date: int


@dataclass
class Comment:
    """A wall comment (post_id set) or a board comment (topic_id set)."""

    id: int
    from_id: int
    date: int
    text: str
    post_id: int | None = None
    topic_id: int | None = None
    reply_to_comment: int | None = None
    reply_to_user: int | None = None
    thread_root: int | None = None  # VK threads are two levels deep: a comment and replies to it
    deleted: bool = False

    def wall_object(self, community_id: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "from_id": self.from_id,
            "date": self.date,
            "text": self.text,
            "post_id": self.post_id,
            "owner_id": -community_id,
            "post_owner_id": -community_id,
            "parents_stack": [self.thread_root] if self.thread_root else [],
            "thread": {"count": 0},
        }
        if self.reply_to_comment is not None:
            data["reply_to_comment"] = self.reply_to_comment
            data["reply_to_user"] = self.reply_to_user
        return data

    def board_object(self, community_id: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "from_id": self.from_id,
            "date": self.date,
            "text": self.text,
            "topic_id": self.topic_id,
            "topic_owner_id": -community_id,
        }


@dataclass
class Ban:
    user_id: int
    admin_id: int
    date: int
    end_date: int  # 0: forever
    reason: int
    comment: str
    comment_visible: bool

    def info(self) -> dict[str, Any]:
        return {
            "admin_id": self.admin_id,
            "date": self.date,
            "reason": self.reason,
            "comment": self.comment,
            "comment_visible": int(self.comment_visible),
            "end_date": self.end_date,
        }


class World:
    """Everything the emulator knows; changes a bot hears about go to `publish` as (type, object)."""

    def __init__(self, community: Community, clock: Callable[[], float], publish: Publish) -> None:
        self.community = community
        self.clock = clock
        self.publish = publish
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}  # by peer_id
        self.messages: dict[int, dict[int, Message]] = {}  # peer_id -> cmid -> message
        self.posts: dict[int, WallPost] = {}
        self.wall_comments: dict[int, Comment] = {}
        self.topics: dict[int, Topic] = {}
        self.board_comments: dict[tuple[int, int], Comment] = {}  # (topic_id, comment_id)
        self.bans: dict[int, Ban] = {}
        self.pending_button_events: dict[str, tuple[int, int]] = {}  # event_id -> (user_id, peer_id)
        self.button_answers: dict[str, dict[str, Any] | None] = {}
        self._last_message_id = 0  # the community's mailbox; used in private dialogs only
        self._last_wall_id = 0  # posts and their comments share one counter per wall, as on VK
        self._last_topic_id = 0
        self._last_board_comment_id = 0
        self._version = 0

    def now(self) -> int:
        return int(self.clock())

    @property
    def community_peer(self) -> int:
        """The community's id as an author or chat member."""
        return -self.community.id

    # --- lookups --------------------------------------------------------------------------------

    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id}; add_user() first") from None

    def chat(self, peer_id: int) -> Chat:
        try:
            return self.chats[peer_id]
        except KeyError:
            raise ValueError(f"unknown chat {peer_id}; add_chat() first") from None

    def message(self, peer_id: int, cmid: int) -> Message | None:
        return self.messages.get(peer_id, {}).get(cmid)

    def private_message(self, message_id: int) -> Message | None:
        for peer_id, stored in self.messages.items():
            if peer_id < CHAT_PEER_OFFSET:
                for message in stored.values():
                    if message.id == message_id:
                        return message
        return None

    def bot_is_admin(self, chat: Chat) -> bool:
        member = chat.members.get(self.community_peer)
        return member is not None and member.is_admin

    def role(self, user_id: int) -> str | None:
        return self.community.managers.get(user_id)

    def can_moderate(self, user_id: int) -> bool:
        return self.role(user_id) in MODERATING_ROLES

    def active_ban(self, user_id: int) -> Ban | None:
        """A ban whose end_date has passed is over."""
        ban = self.bans.get(user_id)
        if ban is not None and 0 < ban.end_date <= self.now():
            del self.bans[user_id]
            return None
        return ban

    # --- changes --------------------------------------------------------------------------------

    def next_version(self) -> int:
        self._version += 1
        return self._version

    def add_message(self, peer_id: int, from_id: int, text: str, **fields: Any) -> Message:
        stored = self.messages.setdefault(peer_id, {})
        cmid = max(stored, default=0) + 1
        message_id = 0
        if peer_id < CHAT_PEER_OFFSET:
            self._last_message_id += 1
            message_id = self._last_message_id
        message = Message(peer_id, cmid, message_id, from_id, self.now(), text, self.next_version(), **fields)
        stored[cmid] = message
        return message

    def new_wall_id(self) -> int:
        self._last_wall_id += 1
        return self._last_wall_id

    def new_topic_id(self) -> int:
        self._last_topic_id += 1
        return self._last_topic_id

    def add_wall_comment(self, post_id: int, from_id: int, text: str, reply_to: int | None = None) -> Comment:
        comment = Comment(self.new_wall_id(), from_id, self.now(), text, post_id=post_id)
        if reply_to is not None:
            parent = self.wall_comments[reply_to]
            comment.reply_to_comment, comment.reply_to_user = parent.id, parent.from_id
            comment.thread_root = parent.thread_root or parent.id
        self.wall_comments[comment.id] = comment
        self.publish("wall_reply_new", comment.wall_object(self.community.id))
        return comment

    def add_board_comment(self, topic_id: int, from_id: int, text: str) -> Comment:
        self._last_board_comment_id += 1
        comment = Comment(self._last_board_comment_id, from_id, self.now(), text, topic_id=topic_id)
        self.board_comments[(topic_id, comment.id)] = comment
        self.publish("board_post_new", comment.board_object(self.community.id))
        return comment

    def edit_comment(self, comment: Comment, text: str) -> None:
        comment.text = text
        if comment.post_id is not None:
            self.publish("wall_reply_edit", comment.wall_object(self.community.id))
        else:
            self.publish("board_post_edit", comment.board_object(self.community.id))

    def hears(self, message: Message) -> bool:
        """Whether the community's bot gets this message as message_new.

        In a chat where the community is not an admin, VK gives the bot only messages addressed to it:
        a mention of the community, a reply to it, or its own invitation.
        """
        if message.peer_id < CHAT_PEER_OFFSET:
            return True
        chat = self.chats[message.peer_id]
        if self.community_peer not in chat.members:
            return False
        if self.bot_is_admin(chat):
            return True
        if message.action is not None:
            return message.action.get("member_id") == self.community_peer
        mention = re.compile(
            rf"\[club{self.community.id}\||@(?:club{self.community.id}|{re.escape(self.community.screen_name)})\b"
        )
        replied_to = (message.reply_message or {}).get("from_id")
        return bool(mention.search(message.text)) or replied_to == self.community_peer
