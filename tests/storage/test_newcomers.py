"""bot/newcomers.py on a real SQLite file: probation survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.newcomers import Newcomers
from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PROBATION = timedelta(days=1)


async def test_a_newcomer_stays_on_probation_across_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'modbot.sqlite3'}"
    db = await Database.open(url)
    try:
        await Newcomers(db).joined("tg:-1001", "tg:42", T0)
    finally:
        await db.close()

    db = await Database.open(url)
    try:
        newcomers = Newcomers(db)
        assert await newcomers.within("tg:-1001", "tg:42", T0 + timedelta(hours=2), PROBATION)
        assert not await newcomers.within("tg:-1002", "tg:42", T0 + timedelta(hours=2), PROBATION)
        assert not await newcomers.within("tg:-1001", "tg:42", T0 + PROBATION, PROBATION)
    finally:
        await db.close()


async def test_joining_again_starts_a_new_probation(tmp_path: Path) -> None:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'modbot.sqlite3'}")
    try:
        newcomers = Newcomers(db)
        await newcomers.joined("vk:chat:1", "vk:7", T0)
        await newcomers.joined("vk:chat:1", "vk:7", T0 + 2 * PROBATION)
        assert await newcomers.within("vk:chat:1", "vk:7", T0 + 2 * PROBATION + timedelta(hours=1), PROBATION)
    finally:
        await db.close()
