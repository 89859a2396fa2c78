"""Actions to the adapter of the platform they are for: a moderator's `/ban vk:12345 7d` or a ticket reply
to a VK member, typed in the Telegram staff chat, is carried out by the VK adapter. Staff cards go to the
adapter that holds the staff chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from handlers.actions import Action, ToStaff

log = logging.getLogger(__name__)

Run = Callable[[Iterable[Action]], Awaitable[None]]


class Router:
    def __init__(self, staff: Run) -> None:
        self.staff = staff
        self.platforms: dict[str, Run] = {}

    def add(self, platform: str, run: Run) -> None:
        self.platforms[platform] = run

    async def run(self, actions: Iterable[Action]) -> None:
        """Each adapter gets its actions in their order, in one batch (a flood's deletions stay one call)."""
        batches: dict[Run, list[Action]] = {}
        for action in actions:
            target = (
                self.staff
                if isinstance(action, ToStaff)
                else self.platforms.get(action.chat.partition(":")[0])
            )
            if target is None:
                log.warning("%s for %s: no adapter runs that platform", type(action).__name__, action.chat)
                continue
            batches.setdefault(target, []).append(action)
        for target, batch in batches.items():
            await target(batch)
