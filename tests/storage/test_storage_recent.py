"""Recent messages (the flood windows' copy) and joins (probation) on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CHAT = "tg:-1001"
MEMBER = "tg:42"


async def test_recent_messages_older_than_the_window_are_pruned(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.remember_message(MEMBER, T0, "привет", f"{CHAT}/1")
        await ledger.remember_message(MEMBER, T0 + DAY, "пока", f"{CHAT}/2")
        assert await ledger.forget_messages_before(T0 + timedelta(hours=1)) == 1
        assert await ledger.recent_messages(MEMBER, T0) == [(T0 + DAY, "пока", f"{CHAT}/2")]


async def test_the_latest_join_is_kept_and_old_ones_forgotten(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.record_join(CHAT, MEMBER, T0)
        await ledger.record_join(CHAT, MEMBER, T0 + DAY)
        await ledger.record_join(CHAT, "tg:43", T0)
        await ledger.forget_joins_before(T0 + timedelta(hours=1))
    async with db.unit() as ledger:
        assert await ledger.joins_since(T0) == [(CHAT, MEMBER, T0 + DAY)]
