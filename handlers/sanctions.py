"""The end of timed bans and mutes. Sanctions with their `until` are the persisted schedule: a sweep after a
restart finds every one that came due while the bot was down."""

from __future__ import annotations

from datetime import datetime

from storage import Database
from storage.records import SanctionRecord


async def expire_due(db: Database, now: datetime) -> list[SanctionRecord]:
    """Marks the sanctions whose time is up as expired (audited) and returns them, for platforms that must
    lift them by hand."""
    async with db.unit() as ledger:
        due = await ledger.due_sanctions(now)
        for sanction in due:
            await ledger.decide_sanction(sanction.id, "expired", None, now)
            await ledger.audit(
                now,
                "expired",
                f"{sanction.kind} until {sanction.until:%d.%m.%Y %H:%M} ended",
                member=sanction.member,
                chat=sanction.chat,
            )
    return due
