"""Keeping within the Bot API's limits: at most ~30 messages a second overall and 20 a minute into one group,
`retry_after` honoured on 429, transient network and server errors retried with backoff.

A request middleware of aiogram's session, so every call the bot makes passes through it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.pacing import SlidingLimit

log = logging.getLogger(__name__)

# Methods that post a message into a chat count against the per-chat and overall limits.
# A new forum topic posts its service message.
_POSTING = frozenset(
    {"sendMessage", "sendPhoto", "copyMessage", "forwardMessage", "sendDocument", "createForumTopic"}
)


class Throttle(BaseRequestMiddleware):
    def __init__(
        self,
        per_second: int = 30,
        per_group_minute: int = 20,
        attempts: int = 5,
        backoff: float = 0.5,
    ) -> None:
        self.overall = SlidingLimit(per_second, 1.0)
        self.per_group_minute = per_group_minute
        self.groups: dict[Any, SlidingLimit] = {}
        self.attempts = attempts
        self.backoff = backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):  # long polling has its own retry loop in aiogram
            return await make_request(bot, method)
        name = method.__api_method__
        chat_id = getattr(method, "chat_id", None)
        delay = self.backoff
        for attempt in range(1, self.attempts):
            await self._pace(name, chat_id)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                log.warning("%s: 429, retrying after %s s", name, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except (TelegramNetworkError, TelegramServerError) as exc:
                log.warning("%s failed (%s), retry %d in %.1f s", name, type(exc).__name__, attempt, delay)
                await asyncio.sleep(delay)
                delay *= 2
        await self._pace(name, chat_id)
        return await make_request(bot, method)  # the last attempt: its error goes to the caller

    def has_room(self, chat_id: int) -> bool:
        """Whether a post into this chat would go out now; a group over its minute's budget would wait."""
        limit = self.groups.get(chat_id)
        return limit is None or limit.has_room()

    async def _pace(self, name: str, chat_id: Any) -> None:
        if name not in _POSTING:
            return
        await self.overall.wait()
        if isinstance(chat_id, int) and chat_id < 0:
            limit = self.groups.setdefault(chat_id, SlidingLimit(self.per_group_minute, 60.0))
            await limit.wait()
