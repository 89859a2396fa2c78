"""Opening, restarting, atomicity and idempotency across Database objects, on a real SQLite file."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from storage import Database

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


class Boom(Exception):
    pass


async def test_open_creates_the_parent_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "modbot.sqlite3"
    database = await Database.open(f"sqlite+aiosqlite:///{path}")
    await database.close()
    assert path.is_file()


async def test_file_database_has_wal_and_foreign_keys(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    with pytest.raises(IntegrityError):
        async with db.unit() as ledger:
            await ledger.add_sanction(
                "tg:1", "tg:-1", "ban", T0, None, strike_id=999, reason="no such strike"
            )


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
async def test_in_memory_database_is_shared_by_units(url: str) -> None:
    database = await Database.open(url)
    try:
        async with database.unit() as ledger:
            await ledger.add_strike("tg:1", "tg:-1", "ads", 1, T0, None, "h")
        async with database.unit() as ledger:
            assert len(await ledger.strike_history("tg:1")) == 1
    finally:
        await database.close()


async def test_everything_survives_a_restart(url: str) -> None:
    first = await Database.open(url)
    async with first.unit() as ledger:
        assert await ledger.claim_update("tg", "100", T0)
        await ledger.upsert_member("tg:1", T0, display_name="Ann", username="ann")
        strike = await ledger.add_strike("tg:1", "tg:-1", "ads", 1, T0, T0 + timedelta(days=180), "h")
        await ledger.add_sanction("tg:1", "tg:-1", "ban", T0, T0 + timedelta(days=7), strike.id, "2 strikes")
        await ledger.audit(T0, "strike", "ads link", member="tg:1", chat="tg:-1", rule="ads", data={"n": 1})
    await first.close()

    second = await Database.open(url)
    try:
        async with second.unit() as ledger:
            assert not await ledger.claim_update("tg", "100", T0 + timedelta(hours=1))
            assert (await ledger.find_member("@ann")) is not None
            assert await ledger.active_strikes("tg:1", T0 + timedelta(days=1)) == [strike]
            [sanction] = await ledger.active_sanctions("tg:1", T0 + timedelta(days=1))
            assert (sanction.kind, sanction.strike_id, sanction.until) == (
                "ban",
                strike.id,
                T0 + timedelta(days=7),
            )
            [entry] = await ledger.audit_entries(member="tg:1")
            assert entry.data == {"n": 1}
    finally:
        await second.close()


async def test_an_exception_in_a_unit_rolls_back_everything(db: Database) -> None:
    with pytest.raises(Boom):
        async with db.unit() as ledger:
            assert await ledger.claim_update("tg", "7", T0)
            await ledger.add_strike("tg:1", "tg:-1", "ads", 1, T0, None, "h")
            await ledger.audit(T0, "strike", "ads link", member="tg:1")
            raise Boom
    async with db.unit() as ledger:
        assert await ledger.strike_history("tg:1") == []
        assert await ledger.audit_entries() == []
        assert await ledger.claim_update("tg", "7", T0)


async def test_a_refused_claim_leaves_the_unit_usable(db: Database) -> None:
    async with db.unit() as ledger:
        assert await ledger.claim_update("tg", "7", T0)
    async with db.unit() as ledger:
        await ledger.add_strike("tg:1", "tg:-1", "ads", 1, T0, None, "h")
        assert not await ledger.claim_update("tg", "7", T0)
        await ledger.audit(T0, "duplicate", "update redelivered")
    async with db.unit() as ledger:
        assert len(await ledger.strike_history("tg:1")) == 1
        assert [entry.kind for entry in await ledger.audit_entries()] == ["duplicate"]


async def test_claims_are_per_source(db: Database) -> None:
    async with db.unit() as ledger:
        assert await ledger.claim_update("tg", "1", T0)
        assert await ledger.claim_update("vk", "1", T0)
        assert not await ledger.claim_update("tg", "1", T0)


async def test_a_claim_is_refused_by_another_database_on_the_same_file(url: str) -> None:
    one, two = await Database.open(url), await Database.open(url)
    try:
        async with one.unit() as ledger:
            assert await ledger.claim_update("tg", "42", T0)
        async with two.unit() as ledger:
            assert not await ledger.claim_update("tg", "42", T0)
    finally:
        await one.close()
        await two.close()


async def test_concurrent_claims_from_two_databases_admit_exactly_one(url: str) -> None:
    one, two = await Database.open(url), await Database.open(url)

    async def claim(database: Database, update_id: str) -> bool:
        async with database.unit() as ledger:
            await ledger.strike_history("tg:1")  # read first: a deferred transaction would then fail to write
            claimed = await ledger.claim_update("tg", update_id, T0)
            await asyncio.sleep(0)
            return claimed

    try:
        for update_id in map(str, range(10)):
            results = await asyncio.gather(claim(one, update_id), claim(two, update_id))
            assert sorted(results) == [False, True]
    finally:
        await one.close()
        await two.close()


async def test_datetimes_come_back_aware_and_in_utc(db: Database) -> None:
    moscow = timezone(timedelta(hours=3))
    local = datetime(2026, 1, 1, 13, 0, tzinfo=moscow)
    async with db.unit() as ledger:
        await ledger.add_strike("tg:1", "tg:-1", "ads", 1, local, local + timedelta(days=1), "h")
    async with db.unit() as ledger:
        [strike] = await ledger.strike_history("tg:1")
    assert strike.at == T0 and strike.at.tzinfo == UTC
    assert strike.expires_at is not None and strike.expires_at.tzinfo == UTC
    assert strike.active_at(T0 + timedelta(hours=23)) and not strike.active_at(T0 + timedelta(days=1))


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.unit() as ledger:
            await ledger.add_strike("tg:1", "tg:-1", "ads", 1, datetime(2026, 1, 1), None, "h")
