"""Who is never moderated and who moderates, cached for a few minutes: the community's managers
(groups.getMembers with filter=managers) and each conversation's admins (messages.getConversationMembers,
which VK answers only while the community is an admin of that conversation: that is also how the bot
learns it lacks the rights to act there)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from vkbottle import VKAPIError

from bot.vk.api import VkApi

log = logging.getLogger(__name__)

# "advertiser" manages ads only: exempt like every manager, but no moderator.
MODERATING_ROLES = frozenset({"moderator", "editor", "administrator", "creator"})
NO_RIGHTS = frozenset({15, 917, 925})


@dataclass(frozen=True, slots=True)
class ChatAccess:
    """The admins of a conversation; `admin` is False when the community is not one of them."""

    admin: bool
    admins: frozenset[int] = frozenset()


class Managers:
    def __init__(self, api: VkApi, group_id: int, ttl_s: float = 300.0) -> None:
        self.api = api
        self.group_id = group_id
        self.ttl_s = ttl_s
        self._roles: tuple[float, dict[int, str]] | None = None
        self._chats: dict[int, tuple[float, ChatAccess]] = {}

    async def roles(self) -> dict[int, str]:
        """User id -> manager role; the last known list when VK does not answer."""
        if self._roles is not None and time.monotonic() - self._roles[0] < self.ttl_s:
            return self._roles[1]
        try:
            answer = await self.api.call(
                "groups.getMembers", group_id=self.group_id, filter="managers", count=1000
            )
        except VKAPIError as exc:
            log.warning("managers of the community unknown: VK error %s %s", exc.code, exc.error_msg)
            return self._roles[1] if self._roles else {}
        roles = {item["id"]: item.get("role", "") for item in answer["items"]}
        self._roles = (time.monotonic(), roles)
        return roles

    async def is_manager(self, user_id: int) -> bool:
        return user_id in await self.roles()

    async def moderates(self, user_id: int) -> bool:
        return (await self.roles()).get(user_id) in MODERATING_ROLES

    async def chat(self, peer_id: int) -> ChatAccess:
        cached = self._chats.get(peer_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            answer = await self.api.call("messages.getConversationMembers", peer_id=peer_id)
        except VKAPIError as exc:
            if exc.code in NO_RIGHTS:
                access = ChatAccess(admin=False)
            else:
                log.warning("admins of %s unknown: VK error %s %s", peer_id, exc.code, exc.error_msg)
                return cached[1] if cached else ChatAccess(admin=True)
        else:
            admins = frozenset(
                item["member_id"] for item in answer["items"] if item.get("is_admin") or item.get("is_owner")
            )
            access = ChatAccess(admin=-self.group_id in admins, admins=admins)
        self._chats[peer_id] = (time.monotonic(), access)
        return access

    def forget(self, peer_id: int) -> None:
        """Someone joined, left or was promoted: ask VK again next time."""
        self._chats.pop(peer_id, None)
