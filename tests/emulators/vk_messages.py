"""messages.* as a community token sees them: sending, editing, deleting, kicking, members, button answers.

Semantics of API 5.199: messages.send with peer_id answers the message id (0 in chats, where a community
never gets message ids), with peer_ids a list of {peer_id, message_id, conversation_message_id}; random_id
is required and a non-zero one already used in the peer returns the first message instead of a new one;
messages.delete answers one item per message.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .vk_errors import VkApiError, param
from .vk_params import MethodTable, Params
from .vk_state import (
    CHAT_PEER_OFFSET,
    DELETE_FOR_ALL_WINDOW,
    EDIT_WINDOW,
    GROUP_ONLY,
    Caller,
    Chat,
    Message,
    World,
)

MAX_MESSAGE_LENGTH = 4096
BUTTON_ANSWER_TYPES = frozenset({"show_snackbar", "open_link", "open_app"})
# What VK's clients report they can do, sent with every message_new.
CLIENT_INFO: dict[str, Any] = {
    "button_actions": [
        "text",
        "vkpay",
        "open_app",
        "location",
        "open_link",
        "callback",
        "intent_subscribe",
        "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}
_CHAT_ACL = dict.fromkeys(
    (
        "can_change_info",
        "can_change_invite_link",
        "can_change_pin",
        "can_invite",
        "can_promote_users",
        "can_see_invite_link",
        "can_moderate",
        "can_copy_chat",
        "can_call",
        "can_use_mass_mentions",
        "can_change_style",
    ),
    True,
)


def parse_keyboard(value: Any) -> dict[str, Any]:
    """A keyboard as VK checks it: an object whose buttons are rows of buttons, each with an action type."""
    valid = (
        isinstance(value, dict)
        and isinstance(value.get("buttons"), list)
        and all(
            isinstance(row, list)
            and all(
                isinstance(button, dict)
                and isinstance(button.get("action"), dict)
                and isinstance(button["action"].get("type"), str)
                for button in row
            )
            for row in value["buttons"]
        )
    )
    if not valid:
        raise VkApiError(911)
    keyboard = copy.deepcopy(value)
    for row in keyboard["buttons"]:
        for button in row:
            # VK keeps a button's payload as a JSON string, whichever way the bot sent it.
            payload = button["action"].get("payload")
            if payload is not None and not isinstance(payload, str):
                button["action"]["payload"] = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return keyboard


class MessageMethods:
    def __init__(self, world: World) -> None:
        self.world = world
        self._by_random_id: dict[tuple[int, int], Message] = {}

    def table(self) -> MethodTable:
        return {
            "messages.send": (self.send, GROUP_ONLY),
            "messages.edit": (self.edit, GROUP_ONLY),
            "messages.delete": (self.delete, GROUP_ONLY),
            "messages.removeChatUser": (self.remove_chat_user, GROUP_ONLY),
            "messages.getConversationMembers": (self.get_conversation_members, GROUP_ONLY),
            "messages.getConversationsById": (self.get_conversations_by_id, GROUP_ONLY),
            "messages.sendMessageEventAnswer": (self.send_message_event_answer, GROUP_ONLY),
        }

    # --- helpers --------------------------------------------------------------------------------

    def _chat_with_bot(self, peer_id: int) -> Chat:
        chat = self.world.chats.get(peer_id)
        if chat is None or self.world.community_peer not in chat.members:
            raise VkApiError(917)
        return chat

    def _single_peer(self, p: Params) -> int | None:
        for name, offset in (("peer_id", 0), ("user_id", 0), ("chat_id", CHAT_PEER_OFFSET)):
            value = p.number(name)
            if value is not None:
                return value + offset
        domain = p.text("domain")
        if domain is None:
            return None
        for user in self.world.users.values():
            if domain in {user.screen_name, f"id{user.id}"}:
                return user.id
        raise param("domain is invalid")

    def _foreign(self, target: int, spec: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The reply_message and fwd_messages a `forward` JSON asks for (messages are addressed by
        conversation_message_ids, as a community must in chats; message_ids there are not supported)."""
        if not isinstance(spec, dict):
            raise param("forward is invalid")
        source = spec.get("peer_id") or target
        cmids = spec.get("conversation_message_ids") or spec.get("cmids") or []
        found = [self.world.message(source, cmid) if isinstance(cmid, int) else None for cmid in cmids]
        if not found or any(message is None or message.deleted_for_all for message in found):
            raise param("forward is invalid")
        copies = [message.as_foreign() for message in found if message is not None]
        if spec.get("is_reply"):
            if source != target or len(copies) != 1:
                raise param("forward is invalid")
            return copies[0], []
        return None, copies

    # --- sending --------------------------------------------------------------------------------

    def send(self, caller: Caller, p: Params) -> Any:
        random_id = p.number("random_id")
        if random_id is None:
            raise param("random_id is a required parameter")
        peer_ids = p.numbers("peer_ids")
        single = None if peer_ids else self._single_peer(p)
        if not peer_ids and single is None:
            raise param("you should specify peer_id, user_id, domain, chat_id or user_ids param")
        text = p.text("message") or ""
        if not text.strip() and not any(p.has(name) for name in ("attachment", "forward", "sticker_id")):
            raise param("message is empty or invalid")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise VkApiError(914)
        keyboard = (
            parse_keyboard(p.json_value("keyboard", error=VkApiError(911))) if p.has("keyboard") else None
        )
        if single is not None:
            return self._send_one(single, text, random_id, keyboard, p).id
        results: list[dict[str, Any]] = []
        for peer_id in peer_ids:
            try:
                message = self._send_one(peer_id, text, random_id, keyboard, p)
            except VkApiError as error:
                results.append({"peer_id": peer_id, "error": error.item()})
            else:
                results.append(
                    {"peer_id": peer_id, "message_id": message.id, "conversation_message_id": message.cmid}
                )
        return results

    def _send_one(
        self, peer_id: int, text: str, random_id: int, keyboard: dict[str, Any] | None, p: Params
    ) -> Message:
        if peer_id >= CHAT_PEER_OFFSET:
            self._chat_with_bot(peer_id)
        elif peer_id > 0:
            user = self.world.users.get(peer_id)
            if user is None or not user.messages_allowed:
                raise VkApiError(901)
        else:
            raise param("peer_id is invalid")
        if random_id and (peer_id, random_id) in self._by_random_id:
            return self._by_random_id[(peer_id, random_id)]
        reply_message, fwd_messages = None, []
        if p.has("forward"):
            reply_message, fwd_messages = self._foreign(peer_id, p.json_value("forward"))
        reply_to = p.number("reply_to")
        if reply_to is not None:
            replied = self.world.private_message(reply_to) if peer_id < CHAT_PEER_OFFSET else None
            if replied is None or replied.peer_id != peer_id or replied.deleted_for_all:
                raise param("reply_to is invalid")
            reply_message = replied.as_foreign()
        message = self.world.add_message(
            peer_id,
            self.world.community_peer,
            text,
            random_id=random_id,
            keyboard=keyboard,
            payload=p.text("payload"),
            reply_message=reply_message,
            fwd_messages=fwd_messages,
        )
        if random_id:
            self._by_random_id[(peer_id, random_id)] = message
        return message

    def edit(self, caller: Caller, p: Params) -> int:
        peer_id = p.required_number("peer_id")
        if peer_id >= CHAT_PEER_OFFSET:
            self._chat_with_bot(peer_id)
        cmid = p.number("conversation_message_id") or p.number("cmid")
        message_id = p.number("message_id")
        if cmid is not None:
            message = self.world.message(peer_id, cmid)
        elif message_id is not None:
            message = self.world.private_message(message_id)
        else:
            raise param("message_id is undefined")
        if message is None or message.peer_id != peer_id or message.deleted_for_all:
            raise VkApiError(104)
        if message.action is not None or message.from_id != self.world.community_peer:
            raise VkApiError(920)
        if self.world.now() - message.date > EDIT_WINDOW:
            raise VkApiError(909)
        text = p.text("message")
        if text is None or not text.strip():
            raise param("message is empty or invalid")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise VkApiError(914)
        if p.has("keyboard"):
            message.keyboard = parse_keyboard(p.json_value("keyboard", error=VkApiError(911)))
        message.text = text
        message.update_time = self.world.now()
        message.version = self.world.next_version()
        return 1

    # --- deleting -------------------------------------------------------------------------------

    def delete(self, caller: Caller, p: Params) -> list[dict[str, Any]]:
        """One item per message; when none could be deleted, the first failure is the call's error."""
        peer_id = p.number("peer_id")
        cmids = p.numbers("cmids") or p.numbers("conversation_message_ids")
        message_ids = p.numbers("message_ids")
        if not cmids and not message_ids:
            raise param("message_ids is undefined")
        if peer_id is not None and peer_id >= CHAT_PEER_OFFSET:
            self._chat_with_bot(peer_id)
        for_all = p.flag("delete_for_all")
        targets: list[tuple[Message | None, dict[str, Any]]] = []
        if cmids:
            if peer_id is None:
                raise param("peer_id is undefined")
            for cmid in cmids:
                found = self.world.message(peer_id, cmid)
                targets.append((found, self._place(found, peer_id, cmid=cmid)))
        for message_id in message_ids:
            found = self.world.private_message(message_id)
            if found is not None and peer_id not in {None, found.peer_id}:
                found = None
            targets.append((found, self._place(found, peer_id or 0, message_id=message_id)))
        items: list[dict[str, Any]] = []
        errors: list[VkApiError] = []
        for found, place in targets:
            try:
                self._delete_one(found, for_all)
            except VkApiError as error:
                errors.append(error)
                items.append({**place, "error": error.item()})
            else:
                items.append({**place, "response": 1})
        if len(errors) == len(items):
            raise errors[0]
        return items

    @staticmethod
    def _place(found: Message | None, peer_id: int, *, cmid: int = 0, message_id: int = 0) -> dict[str, Any]:
        """Which message an item of messages.delete's answer is about."""
        if found is not None:
            return {"peer_id": found.peer_id, "message_id": found.id, "conversation_message_id": found.cmid}
        return {"peer_id": peer_id, "message_id": message_id, "conversation_message_id": cmid}

    def _delete_one(self, message: Message | None, for_all: bool) -> None:
        if message is None or message.deleted_for_all or message.hidden_for_community:
            raise VkApiError(104)
        if not for_all:
            message.hidden_for_community = True
            return
        own = message.from_id == self.world.community_peer
        if own:
            if self.world.now() - message.date > DELETE_FOR_ALL_WINDOW:
                raise VkApiError(924)
        elif message.peer_id < CHAT_PEER_OFFSET:
            raise VkApiError(924)
        else:
            chat = self.world.chats[message.peer_id]
            author = chat.members.get(message.from_id)
            protected = author is not None and (author.is_owner or author.is_admin)
            if not self.world.bot_is_admin(chat) or protected:
                raise VkApiError(924)
        message.deleted_for_all = True

    # --- chat members ---------------------------------------------------------------------------

    def remove_chat_user(self, caller: Caller, p: Params) -> int:
        chat_id = p.required_number("chat_id")
        target = p.number("member_id")
        if target is None:
            target = p.number("user_id")
        if target is None:
            raise param("you should specify member_id")
        chat = self.world.chats.get(CHAT_PEER_OFFSET + chat_id)
        if chat is None:
            raise VkApiError(927)
        self._chat_with_bot(chat.peer_id)
        if not self.world.bot_is_admin(chat):
            raise VkApiError(925)
        member = chat.members.get(target)
        if member is None:
            raise VkApiError(935)
        if target != self.world.community_peer and (member.is_owner or member.is_admin):
            raise VkApiError(15, "can't remove this user")
        del chat.members[target]
        self.world.add_message(
            chat.peer_id,
            self.world.community_peer,
            "",
            action={"type": "chat_kick_user", "member_id": target},
        )
        return 1

    def get_conversation_members(self, caller: Caller, p: Params) -> dict[str, Any]:
        peer_id = p.required_number("peer_id")
        fields = p.words("fields")
        chat = self._chat_with_bot(peer_id)
        if not self.world.bot_is_admin(chat):
            raise VkApiError(917)
        items = []
        for member in chat.members.values():
            protected = member.is_owner or member.is_admin or member.member_id == self.world.community_peer
            item: dict[str, Any] = {
                "member_id": member.member_id,
                "invited_by": member.invited_by,
                "join_date": member.join_date,
                "can_kick": not protected,
            }
            if member.is_admin:
                item["is_admin"] = True
            if member.is_owner:
                item["is_owner"] = True
            items.append(item)
        profiles = [self.world.users[m].profile(fields) for m in chat.members if m in self.world.users]
        groups = [self.world.community.to_dict(fields)] if self.world.community_peer in chat.members else []
        return {"count": len(items), "items": items, "profiles": profiles, "groups": groups}

    def get_conversations_by_id(self, caller: Caller, p: Params) -> dict[str, Any]:
        """Chats the community does not administer are left out, as VK leaves them out."""
        peer_ids = p.numbers("peer_ids")
        if not peer_ids:
            raise param("peer_ids is undefined")
        items = []
        for peer_id in peer_ids:
            chat = self.world.chats.get(peer_id)
            if (
                chat is not None
                and self.world.community_peer in chat.members
                and self.world.bot_is_admin(chat)
            ):
                items.append(self._conversation(peer_id, chat))
            elif 0 < peer_id < CHAT_PEER_OFFSET and peer_id in self.world.users:
                items.append(self._conversation(peer_id, None))
        result: dict[str, Any] = {"count": len(items), "items": items}
        if p.flag("extended"):
            fields = p.words("fields")
            seen = {m for chat in map(self.world.chats.get, peer_ids) if chat for m in chat.members}
            seen |= {peer_id for peer_id in peer_ids if peer_id in self.world.users}
            result["profiles"] = [self.world.users[i].profile(fields) for i in sorted(seen) if i > 0]
            result["groups"] = [self.world.community.to_dict(fields)]
        return result

    def _conversation(self, peer_id: int, chat: Chat | None) -> dict[str, Any]:
        stored = self.world.messages.get(peer_id, {})
        last = stored[max(stored)] if stored else None
        conversation: dict[str, Any] = {
            "peer": {
                "id": peer_id,
                "type": "chat" if chat else "user",
                "local_id": chat.chat_id if chat else peer_id,
            },
            "last_message_id": last.id if last else 0,
            "last_conversation_message_id": last.cmid if last else 0,
            "in_read": last.id if last else 0,
            "out_read": last.id if last else 0,
            "in_read_cmid": last.cmid if last else 0,
            "out_read_cmid": last.cmid if last else 0,
            "version": last.version if last else 0,
            "is_marked_unread": False,
            "important": False,
            "can_write": {"allowed": True},
        }
        if chat is not None:
            conversation["chat_settings"] = {
                "owner_id": chat.owner_id,
                "title": chat.title,
                "state": "in",
                "acl": dict(_CHAT_ACL),
                "members_count": sum(1 for m in chat.members if m > 0),
                "admin_ids": [m.member_id for m in chat.members.values() if m.is_admin and not m.is_owner],
                "active_ids": [m for m in chat.members if m > 0],
                "is_group_channel": False,
            }
        return conversation

    # --- callback buttons -----------------------------------------------------------------------

    def send_message_event_answer(self, caller: Caller, p: Params) -> int:
        event_id = p.text("event_id")
        if event_id is None:
            raise param("event_id is undefined")
        user_id = p.required_number("user_id")
        peer_id = p.required_number("peer_id")
        if self.world.pending_button_events.get(event_id) != (user_id, peer_id):
            raise param("event_id is invalid")
        answer = p.json_value("event_data")
        if answer is not None and (
            not isinstance(answer, dict) or answer.get("type") not in BUTTON_ANSWER_TYPES
        ):
            raise param("event_data is invalid")
        del self.world.pending_button_events[event_id]
        self.world.button_answers[event_id] = answer
        return 1
