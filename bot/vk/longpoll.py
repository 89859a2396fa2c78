"""Bots Long Poll through vkbottle's BotPolling, which already follows VK's contract for `failed` (1: go on
from the ts given, 2: new key and the same ts, 3: new key and ts) and retries network errors.

Two changes: the ts is kept in the file VK_LONGPOLL_STATE names (vkbottle would write ./.vkbottle/ in the
working directory), and a restart resumes from it, so events that came while the bot was down are handled
then; redeliveries are recognised by their event_id in storage. BotPolling saves the ts only once the
updates it yielded have been handled, so a crash mid-batch fetches the batch again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from vkbottle.polling import BotPolling

from bot.vk.api import VkApi


class LongPoll(BotPolling):
    """`failed` is told what goes wrong beyond VK's own failures and network errors (a revoked token, the
    long poll switched off); BotPolling keeps retrying meanwhile."""

    def __init__(
        self, api: VkApi, group_id: int, state: Path, failed: Callable[[Exception], Awaitable[None]]
    ) -> None:
        super().__init__(api, group_id=group_id, skip_old_events=False)
        self.state = state
        self.error_handler.register_undefined_error_handler(failed)

    @property
    def ts_state_path(self) -> Path:
        return self.state
