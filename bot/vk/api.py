"""vkbottle's API client at any base URL, kept within VK's per-token request rate, retrying what VK asks to
retry: error 6 (too many requests per second), 9 (flood control), 10 (internal error) and network errors,
with backoff. Every method call of the adapter, and the long poll's key requests, pass through it.

A repeated call cannot double a post: messages.send carries a random_id and wall/board.createComment a
guid, both chosen once per action, which VK uses to drop the second copy."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import ClientConnectionError
from vkbottle import API, VKAPIError
from vkbottle.http import AiohttpClient

from bot.pacing import SlidingLimit

log = logging.getLogger(__name__)

RETRIED = frozenset({6, 9, 10})
GROUP_RPS = 20  # VK's limit for a community token
USER_RPS = 3  # and for a user token


class VkApi(API):
    def __init__(
        self, token: str, base_url: str, per_second: int, attempts: int = 5, backoff: float = 0.5
    ) -> None:
        super().__init__(token, http_client=AiohttpClient())
        self.API_URL = base_url  # vkbottle has no base-URL option; it builds API_URL + method
        self.limit = SlidingLimit(per_second, 1.0)
        self.attempts = attempts
        self.backoff = backoff

    async def request(self, method: str, data: dict[str, Any], version: str | None = None) -> dict[str, Any]:
        delay = self.backoff
        for attempt in range(1, self.attempts):
            await self.limit.wait()
            try:
                # vkbottle rewrites the dict it is given (lists to strings...): each attempt gets a copy.
                return await super().request(method, dict(data), version)
            except VKAPIError as exc:
                if exc.code not in RETRIED:
                    raise
                log.warning("%s: VK error %s, retry %d in %.1f s", method, exc.code, attempt, delay)
            except (ClientConnectionError, TimeoutError) as exc:
                log.warning("%s failed (%s), retry %d in %.1f s", method, type(exc).__name__, attempt, delay)
            await asyncio.sleep(delay)
            delay *= 2
        await self.limit.wait()
        return await super().request(method, dict(data), version)  # the last attempt: its error goes up

    async def call(self, method: str, **params: Any) -> Any:
        """The `response` of a method; raw, because vkbottle_types cannot parse some answers
        (groups.getMembers with filter=managers)."""
        return (await self.request(method, params))["response"]

    async def close(self) -> None:
        await self.http_client.close()
