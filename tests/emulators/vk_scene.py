"""The world-building half of the VK emulator: people and what they do, as VK reports it to the community.

Setup calls (add_user, add_manager, add_chat, add_wall_post, add_board_topic, set_chat_admin) change state
silently; the others are what people do, and become events exactly when VK would send them to the bot.
A helper refuses what a person could not do on VK (write to a chat they are not in, write to the community
while banned) with ValueError: that is a bug in the test, not something the bot should see.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterable
from typing import Any

from .vk_messages import CLIENT_INFO
from .vk_state import (
    CHAT_PEER_OFFSET,
    MANAGER_ROLES,
    Chat,
    ChatMember,
    Comment,
    Message,
    Topic,
    User,
    WallPost,
    World,
)


class Scene:
    """World-building methods of VkApiEmulator."""

    world: World
    admin_id: int

    # --- setup ----------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str = "",
        screen_name: str | None = None,
        *,
        member: bool = True,
        messages_allowed: bool = False,
    ) -> dict[str, Any]:
        """A person; `member`: in the community; `messages_allowed`: the community may write to them first."""
        if not 0 < user_id < CHAT_PEER_OFFSET:
            raise ValueError(f"user ids are positive and below {CHAT_PEER_OFFSET}")
        user = User(user_id, first_name, last_name, screen_name, messages_allowed)
        self.world.users[user_id] = user
        if member:
            self.world.community.members.add(user_id)
        return user.profile(["screen_name"])

    def add_manager(self, user_id: int, role: str = "moderator") -> None:
        if role not in MANAGER_ROLES:
            raise ValueError(f"unknown manager role {role!r}; one of {sorted(MANAGER_ROLES)}")
        self.world.user(user_id)
        self.world.community.managers[user_id] = role
        self.world.community.members.add(user_id)

    def add_chat(
        self,
        chat_id: int,
        title: str,
        bot_is_admin: bool = True,
        *,
        owner_id: int | None = None,
        members: Iterable[int] = (),
    ) -> int:
        """A community chat with its owner (the community admin by default), the community itself (an admin
        of the chat or not) and `members`; returns its peer_id (2000000000 + chat_id)."""
        owner = self.admin_id if owner_id is None else owner_id
        self.world.user(owner)
        if CHAT_PEER_OFFSET + chat_id in self.world.chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = Chat(chat_id, title, owner)
        now = self.world.now()
        chat.members[owner] = ChatMember(owner, owner, now, is_admin=True, is_owner=True)
        bot = self.world.community_peer
        chat.members[bot] = ChatMember(bot, owner, now, is_admin=bot_is_admin)
        for user_id in members:
            self.world.user(user_id)
            chat.members[user_id] = ChatMember(user_id, owner, now)
        self.world.chats[chat.peer_id] = chat
        return chat.peer_id

    def set_chat_admin(self, peer_id: int, member_id: int, is_admin: bool = True) -> None:
        """Makes a member (a person, or the community: -group_id) an admin of the chat or not."""
        chat = self.world.chat(peer_id)
        if member_id not in chat.members:
            raise ValueError(f"{member_id} is not in chat {peer_id}")
        chat.members[member_id].is_admin = is_admin

    def add_wall_post(self, text: str, *, from_id: int | None = None) -> int:
        """A post on the community's wall (by the community unless `from_id`); returns its id."""
        post = WallPost(
            self.world.new_wall_id(),
            self.world.community_peer if from_id is None else from_id,
            self.world.now(),
            text,
        )
        self.world.posts[post.id] = post
        return post.id

    def add_board_topic(self, title: str, *, created_by: int | None = None) -> int:
        topic = Topic(self.world.new_topic_id(), title, created_by or self.admin_id, self.world.now())
        self.world.topics[topic.id] = topic
        return topic.id

    # --- chats ----------------------------------------------------------------------------------

    def _deliver(self, message: Message) -> dict[str, Any]:
        data = message.to_dict(self.world.community.id)
        if self.world.hears(message):
            self.world.publish("message_new", {"message": data, "client_info": copy.deepcopy(CLIENT_INFO)})
        return data

    def _chat_member(self, peer_id: int, user_id: int) -> Chat:
        chat = self.world.chat(peer_id)
        if user_id not in chat.members:
            raise ValueError(f"user {user_id} is not in chat {peer_id} and cannot write there")
        return chat

    def chat_join(
        self, peer_id: int, user_id: int, invited_by: int | None = None, *, by_link: bool = True
    ) -> dict[str, Any]:
        """`user_id` joins: invited by a member (chat_invite_user from them), by the invite link
        (chat_invite_user_by_link), or by coming back on their own after leaving (`by_link=False`:
        chat_invite_user with member_id equal to from_id). Returns the service message."""
        chat = self.world.chat(peer_id)
        self.world.user(user_id)
        if user_id in chat.members:
            raise ValueError(f"user {user_id} is already in chat {peer_id}")
        if invited_by is not None:
            self._chat_member(peer_id, invited_by)
            author, action = invited_by, {"type": "chat_invite_user", "member_id": user_id}
        elif by_link:
            author, action = user_id, {"type": "chat_invite_user_by_link"}
        else:
            author, action = user_id, {"type": "chat_invite_user", "member_id": user_id}
        chat.members[user_id] = ChatMember(user_id, author, self.world.now())
        return self._deliver(self.world.add_message(peer_id, author, "", action=action))

    def chat_leave(self, peer_id: int, user_id: int) -> dict[str, Any]:
        """`user_id` leaves on their own (chat_kick_user with member_id equal to from_id)."""
        chat = self._chat_member(peer_id, user_id)
        del chat.members[user_id]
        action = {"type": "chat_kick_user", "member_id": user_id}
        return self._deliver(self.world.add_message(peer_id, user_id, "", action=action))

    def send_chat_message(
        self,
        peer_id: int,
        from_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        fwd: Iterable[int] = (),
        payload: str | None = None,
    ) -> dict[str, Any]:
        """A member writes to the chat; `reply_to` and `fwd` are conversation_message_ids in this chat.
        Returns the message as VK shows it to the community (id 0, its conversation_message_id)."""
        self._chat_member(peer_id, from_id)
        return self._deliver(self._compose(peer_id, from_id, text, reply_to, fwd, payload))

    def send_private_message(
        self, user_id: int, text: str, *, reply_to: int | None = None, payload: str | None = None
    ) -> dict[str, Any]:
        """`user_id` writes to the community (peer_id = user_id); `reply_to` is a conversation_message_id."""
        user = self.world.user(user_id)
        if self.world.active_ban(user_id) is not None:
            raise ValueError(f"user {user_id} is banned in the community and cannot write to it")
        user.messages_allowed = True
        return self._deliver(self._compose(user_id, user_id, text, reply_to, (), payload))

    def _compose(
        self,
        peer_id: int,
        from_id: int,
        text: str,
        reply_to: int | None,
        fwd: Iterable[int],
        payload: str | None,
    ) -> Message:
        def quoted(cmid: int) -> dict[str, Any]:
            found = self.world.message(peer_id, cmid)
            if found is None or found.deleted_for_all:
                raise ValueError(f"no message {cmid} in {peer_id}")
            return found.as_foreign()

        return self.world.add_message(
            peer_id,
            from_id,
            text,
            reply_message=quoted(reply_to) if reply_to is not None else None,
            fwd_messages=[quoted(cmid) for cmid in fwd],
            payload=payload,
        )

    def edit_chat_message(self, peer_id: int, cmid: int, text: str) -> dict[str, Any]:
        """The author edits their message (a chat's or a private one): message_edit if the bot heard it."""
        message = self.world.message(peer_id, cmid)
        if message is None or message.deleted_for_all or message.action is not None:
            raise ValueError(f"no editable message {cmid} in {peer_id}")
        message.text = text
        message.update_time = self.world.now()
        message.version = self.world.next_version()
        data = message.to_dict(self.world.community.id)
        if self.world.hears(message):
            self.world.publish("message_edit", data)
        return data

    def press_callback_button(
        self, peer_id: int, user_id: int, payload: dict[str, Any], *, cmid: int | None = None
    ) -> str:
        """A person presses a callback button (on the message `cmid`, by default the community's latest
        message in the peer); returns the event_id the bot answers with messages.sendMessageEventAnswer."""
        if peer_id >= CHAT_PEER_OFFSET:
            self._chat_member(peer_id, user_id)
        if cmid is None:
            own = [
                m.cmid
                for m in self.world.messages.get(peer_id, {}).values()
                if m.from_id == self.world.community_peer
            ]
            if not own:
                raise ValueError(f"the community has no message with buttons in {peer_id}")
            cmid = max(own)
        event_id = secrets.token_hex(6)
        self.world.pending_button_events[event_id] = (user_id, peer_id)
        self.world.publish(
            "message_event",
            {
                "user_id": user_id,
                "peer_id": peer_id,
                "event_id": event_id,
                "payload": copy.deepcopy(payload),
                "conversation_message_id": cmid,
            },
        )
        return event_id

    # --- wall and board -------------------------------------------------------------------------

    def wall_comment(
        self, post_id: int, from_id: int, text: str, *, reply_to_comment: int | None = None
    ) -> dict[str, Any]:
        """A comment under a wall post (wall_reply_new); returns the comment object."""
        if post_id not in self.world.posts:
            raise ValueError(f"no wall post {post_id}; add_wall_post() first")
        if reply_to_comment is not None and reply_to_comment not in self.world.wall_comments:
            raise ValueError(f"no wall comment {reply_to_comment}")
        comment = self.world.add_wall_comment(post_id, from_id, text, reply_to_comment)
        return comment.wall_object(self.world.community.id)

    def edit_wall_comment(self, comment_id: int, text: str) -> dict[str, Any]:
        comment = self._live(self.world.wall_comments.get(comment_id), f"wall comment {comment_id}")
        self.world.edit_comment(comment, text)
        return comment.wall_object(self.world.community.id)

    def board_comment(self, topic_id: int, from_id: int, text: str) -> dict[str, Any]:
        """A comment in a board topic (board_post_new); returns the comment object."""
        if topic_id not in self.world.topics:
            raise ValueError(f"no board topic {topic_id}; add_board_topic() first")
        return self.world.add_board_comment(topic_id, from_id, text).board_object(self.world.community.id)

    def edit_board_comment(self, topic_id: int, comment_id: int, text: str) -> dict[str, Any]:
        comment = self._live(
            self.world.board_comments.get((topic_id, comment_id)), f"board comment {comment_id}"
        )
        self.world.edit_comment(comment, text)
        return comment.board_object(self.world.community.id)

    @staticmethod
    def _live(comment: Comment | None, what: str) -> Comment:
        if comment is None or comment.deleted:
            raise ValueError(f"no {what}, or it was deleted")
        return comment
