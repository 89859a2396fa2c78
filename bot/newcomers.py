"""When members joined each chat, for the probation of new members. Kept in storage, so a restart keeps
a newcomer on probation; read once at the first check into memory, where joins are bounded."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import Database

MAX_KEPT = 100_000


class Newcomers:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._joined: dict[tuple[str, str], datetime] = {}
        self._loaded = False

    async def joined(self, chat: str, member: str, at: datetime) -> None:
        async with self.db.unit() as ledger:
            await ledger.record_join(chat, member, at)
        self._keep(chat, member, at)

    async def within(self, chat: str, member: str, now: datetime, probation: timedelta) -> bool:
        if not self._loaded:
            async with self.db.unit() as ledger:
                await ledger.forget_joins_before(now - probation)
                for where, who, at in await ledger.joins_since(now - probation):
                    self._keep(where, who, at)
            self._loaded = True
        at = self._joined.get((chat, member))
        return at is not None and now - at < probation

    def _keep(self, chat: str, member: str, at: datetime) -> None:
        self._joined.pop((chat, member), None)
        self._joined[(chat, member)] = at  # re-inserted last: the oldest joins come first
        if len(self._joined) > MAX_KEPT:
            del self._joined[next(iter(self._joined))]
