"""When members joined each chat, for the probation of new members. In memory and bounded: after a restart
a member who joined shortly before is treated as an established member, the lenient side."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_KEPT = 100_000


class Newcomers:
    def __init__(self) -> None:
        self._joined: dict[tuple[int, int], datetime] = {}

    def joined(self, chat_id: int, user_id: int, at: datetime) -> None:
        self._joined.pop((chat_id, user_id), None)
        self._joined[(chat_id, user_id)] = at  # re-inserted last: the oldest joins come first
        if len(self._joined) > MAX_KEPT:
            del self._joined[next(iter(self._joined))]

    def within(self, chat_id: int, user_id: int, now: datetime, probation: timedelta) -> bool:
        at = self._joined.get((chat_id, user_id))
        return at is not None and now - at < probation
