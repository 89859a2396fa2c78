"""Bot API methods about chat members, with the server's rules and error texts.

The checks follow tdlib's DialogParticipantManager (set_channel_participant_status_impl and
restrict_channel_participant) and telegram-bot-api's Client.cpp, in their order.
"""

from __future__ import annotations

from typing import Any

from .telegram_errors import bad_request
from .telegram_params import to_bool
from .telegram_state import PERMISSIONS, Chat, Member, World

_MEDIA = (
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
)
_BAN_FOREVER_AFTER = 366 * 86400


def user_id_param(params: dict[str, Any]) -> int:
    value = params.get("user_id")
    if not isinstance(value, int) or value <= 0:
        raise bad_request("invalid user_id specified")
    return value


def parse_permissions(given: dict[str, Any], independent: bool) -> dict[str, bool]:
    """ChatPermissions as the server reads them, including the implications of dependent permissions."""

    def flag(name: str) -> bool:
        return to_bool(given.get(name, False))

    names = ("can_send_messages", "can_send_polls", "can_send_other_messages", "can_add_web_page_previews")
    perms = {name: flag(name) for name in (*names, "can_change_info", "can_invite_users", "can_pin_messages")}
    perms["can_manage_topics"] = (
        flag("can_manage_topics") if "can_manage_topics" in given else perms["can_pin_messages"]
    )
    if any(name in given for name in _MEDIA):
        perms.update({name: flag(name) for name in _MEDIA})
    else:
        legacy_media = flag("can_send_media_messages")
        perms.update(dict.fromkeys(_MEDIA, legacy_media))
        perms["can_send_messages"] |= legacy_media and not independent
    if not independent:
        if perms["can_send_other_messages"] or perms["can_add_web_page_previews"]:
            perms.update(dict.fromkeys((*_MEDIA, "can_send_messages"), True))
        perms["can_send_messages"] |= perms["can_send_polls"]
    for name in ("can_react_to_messages", "can_edit_tag"):
        if name in given:
            perms[name] = flag(name)
    return perms


class MemberMethods:
    w: World

    def _until(self, value: Any) -> int:
        """until_date as stored: 0 (forever) when under 30 seconds or over 366 days away."""
        until = value if isinstance(value, int) else 0
        now = self.w.now()
        return 0 if until <= now + 30 or until > now + _BAN_FOREVER_AFTER else until

    def _set_status(self, chat: Chat, user_id: int, new: Member) -> None:
        """A supergroup or channel member's new status, set by the bot."""
        bot_id = self.w.bot.id
        old = self.w.member(chat.id, user_id)
        if old == new:
            return
        if old.status == "creator":
            raise bad_request("can't remove chat owner")
        if user_id == bot_id:
            if new.status in {"restricted", "kicked"}:
                raise bad_request("can't restrict self")
            if new.present:
                raise bad_request("can't unrestrict self")
            self.w.change_member(chat.id, bot_id, new, bot_id)  # "unbanning" itself: the bot leaves
            return
        if not self.w.has_right(chat.id, bot_id, "can_restrict_members"):
            raise bad_request("not enough rights to restrict/unrestrict chat member")
        if old.status == "administrator":
            raise bad_request("user is an administrator of the chat")
        if old.present and new.status == "left":  # Telegram cannot make a member "left" without a kick
            self.w.change_member(chat.id, user_id, Member("kicked"), bot_id)
        self.w.change_member(chat.id, user_id, new, bot_id)

    def ban_chat_member(self, params: dict[str, Any]) -> bool:
        user_id = user_id_param(params)
        chat = self.w.check_access(params.get("chat_id"), "write")
        if chat.type == "private":
            raise bad_request("can't ban members in private chats")
        self.w.known_user(user_id)
        if chat.type == "group":
            return self._remove_from_group(chat, user_id)
        self._set_status(chat, user_id, Member("kicked", self._until(params.get("until_date"))))
        return True

    def _remove_from_group(self, chat: Chat, user_id: int) -> bool:
        """A basic group has no ban list: the user is removed (and may be added back)."""
        bot_id = self.w.bot.id
        old = self.w.member(chat.id, user_id)
        if user_id != bot_id:
            if not self.w.is_admin(chat.id, bot_id):
                raise bad_request("CHAT_ADMIN_REQUIRED")
            if old.status == "creator":
                raise bad_request("can't remove chat owner")
            if old.status == "administrator":
                raise bad_request("user is an administrator of the chat")
        self.w.change_member(chat.id, user_id, Member("left"), bot_id)
        return True

    def unban_chat_member(self, params: dict[str, Any]) -> bool:
        user_id = user_id_param(params)
        chat = self.w.check_access(params.get("chat_id"), "write")
        if chat.type not in {"supergroup", "channel"}:
            raise bad_request("method is available for supergroup and channel chats only")
        self.w.known_user(user_id)
        if params.get("only_if_banned") and self.w.member(chat.id, user_id).status != "kicked":
            return True
        self._set_status(chat, user_id, Member("left"))
        return True

    def restrict_chat_member(self, params: dict[str, Any]) -> bool:
        user_id = user_id_param(params)
        given = params.get("permissions")
        if given is not None and not isinstance(given, dict):
            raise bad_request("object expected as permissions")
        perms = parse_permissions(given or {}, bool(params.get("use_independent_chat_permissions")))
        chat = self.w.check_access(params.get("chat_id"), "write")
        if chat.type != "supergroup":
            raise bad_request("method is available only for supergroups")
        self.w.known_user(user_id)
        present = self.w.member(chat.id, user_id).present
        if all(perms[name] for name in PERMISSIONS):  # everything allowed lifts the restriction
            new = Member("member") if present else Member("left")
        else:
            new = Member("restricted", self._until(params.get("until_date")), perms, present)
        self._set_status(chat, user_id, new)
        return True

    def get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = user_id_param(params)
        need = "read" if user_id == self.w.bot.id else "members"
        chat = self.w.check_access(params.get("chat_id"), need)
        user = self.w.known_user(user_id)
        if chat.type == "private":
            member = Member("member" if user_id in {chat.id, self.w.bot.id} else "left")
        else:
            member = self.w.member(chat.id, user_id)
        return self.w.render_member(chat, user, member)

    def get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self.w.check_access(params.get("chat_id"), "members")
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        found = [user_id for chat_id, user_id in list(self.w.members) if chat_id == chat.id]
        admins = [user_id for user_id in found if self.w.is_admin(chat.id, user_id)]
        admins.sort(key=lambda user_id: self.w.member(chat.id, user_id).status != "creator")
        return [self.w.member_dict(chat.id, user_id) for user_id in admins]

    def get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat = self.w.check_access(params.get("chat_id"), "members")
        if chat.type == "private":
            return 2
        return sum(
            1
            for chat_id, user_id in list(self.w.members)
            if chat_id == chat.id and self.w.member(chat_id, user_id).present
        )

    def leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self.w.check_access(params.get("chat_id"), "read")
        if chat.type == "private":
            raise bad_request("can't leave private chats")
        bot_id = self.w.bot.id
        self.w.change_member(chat.id, bot_id, Member("left"), bot_id)
        return True
