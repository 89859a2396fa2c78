"""What VK does not enforce for a community, the adapter does: conversations have no timed bans and no
mutes. A member banned from a conversation is kicked, and kicked again if they come back before the ban
ends; a muted member's messages are deleted as they come until the mute ends.

Bans and the mutes of the ladder and of /mute are sanctions in storage, so they hold across restarts. A
rule's own short mute (a flood's ten minutes) is not a sanction: it is kept here, in memory, and a restart
forgets it, the lenient side.
"""

from __future__ import annotations

from datetime import datetime

from storage import Database
from storage.records import SanctionRecord

EVERYWHERE = "*"  # the chat of a sanction a moderator gave by command, not in one chat
MAX_KEPT = 10_000


class Guard:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._muted: dict[tuple[str, str], datetime] = {}

    def mute(self, chat: str, member: str, until: datetime) -> None:
        if len(self._muted) >= MAX_KEPT:
            del self._muted[next(iter(self._muted))]
        self._muted[(chat, member)] = until

    def unmute(self, chat: str, member: str) -> None:
        self._muted.pop((chat, member), None)

    async def muted(self, chat: str, member: str, at: datetime) -> bool:
        until = self._muted.get((chat, member))
        if until is not None and until > at:
            return True
        return await self._sanction(chat, member, at, "mute") is not None

    async def banned(self, chat: str, member: str, at: datetime) -> SanctionRecord | None:
        return await self._sanction(chat, member, at, "ban")

    async def _sanction(self, chat: str, member: str, at: datetime, kind: str) -> SanctionRecord | None:
        async with self.db.unit() as ledger:
            sanctions = await ledger.active_sanctions(member, at)
        return next((s for s in sanctions if s.kind == kind and s.chat in (chat, EVERYWHERE)), None)
