"""A sliding-window limit shared by the platform adapters: at most N requests in any window."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingLimit:
    """At most `count` events per `per` seconds; `wait()` sleeps until one more fits."""

    def __init__(self, count: int, per: float) -> None:
        self.count = count
        self.per = per
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    def has_room(self) -> bool:
        """Whether one more would go through now, without waiting."""
        now = time.monotonic()
        return sum(1 for t in self._times if now - t < self.per) < self.count

    async def wait(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._times and now - self._times[0] >= self.per:
                    self._times.popleft()
                if len(self._times) < self.count:
                    self._times.append(now)
                    return
                await asyncio.sleep(self.per - (now - self._times[0]))
