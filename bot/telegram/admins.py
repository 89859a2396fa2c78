"""Who administers each chat, from `getChatAdministrators`, cached: admins are never moderated, staff chat
admins are the moderators, and the bot's own entry says whether it may delete and ban."""

from __future__ import annotations

import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner

log = logging.getLogger(__name__)

Admin = ChatMemberAdministrator | ChatMemberOwner


class AdminCache:
    def __init__(self, bot: Bot, ttl_s: float = 600.0) -> None:
        self.bot = bot
        self.ttl_s = ttl_s
        self._admins: dict[int, tuple[float, dict[int, Admin]]] = {}

    async def admins(self, chat_id: int) -> dict[int, Admin]:
        cached = self._admins.get(chat_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            members = await self.bot.get_chat_administrators(chat_id)
        except TelegramAPIError as exc:
            log.warning("admins of %s unknown: %s", chat_id, exc.message)
            return cached[1] if cached else {}
        admins = {m.user.id: m for m in members if isinstance(m, Admin)}
        self._admins[chat_id] = (time.monotonic(), admins)
        return admins

    def forget(self, chat_id: int) -> None:
        """A `chat_member` or `my_chat_member` update changed someone's rights."""
        self._admins.pop(chat_id, None)

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return user_id in await self.admins(chat_id)

    async def missing_rights(self, chat_id: int) -> list[str]:
        """The rights the bot needs to act in a chat and lacks there."""
        me = (await self.admins(chat_id)).get(self.bot.id)
        return missing_rights(me)


def missing_rights(me: object) -> list[str]:
    if isinstance(me, ChatMemberOwner):
        return []
    if not isinstance(me, ChatMemberAdministrator):
        return ["delete messages", "ban users"]
    missing = []
    if not me.can_delete_messages:
        missing.append("delete messages")
    if not me.can_restrict_members:
        missing.append("ban users")
    return missing
