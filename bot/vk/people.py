"""Members' display names (users.get), cached: VK events carry only ids, and a warning or a staff card
that names the member reads better than one that does not."""

from __future__ import annotations

import logging

from vkbottle import VKAPIError

from bot.vk.api import VkApi

log = logging.getLogger(__name__)
MAX_KEPT = 10_000


class Names:
    def __init__(self, api: VkApi) -> None:
        self.api = api
        self._names: dict[int, str] = {}

    async def of(self, user_id: int) -> str:
        """ "Имя Фамилия"; empty for a community or when VK does not answer (asked again next time)."""
        if user_id <= 0:
            return ""
        if user_id in self._names:
            return self._names[user_id]
        try:
            profiles = await self.api.call("users.get", user_ids=user_id)
        except VKAPIError as exc:
            log.info("name of %s unknown: VK error %s", user_id, exc.code)
            return ""
        profile = profiles[0] if profiles else {}
        name = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p)
        if len(self._names) >= MAX_KEPT:
            del self._names[next(iter(self._names))]
        self._names[user_id] = name
        return name
