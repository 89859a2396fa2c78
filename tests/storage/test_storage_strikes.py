"""Strikes: the ladder's memory, with expiry, collapsed repeats and pardons."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import NoResultFound

from storage import Database, StrikeRecord

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def add(db: Database, at: datetime, expires_at: datetime | None, member: str = "tg:1") -> StrikeRecord:
    async with db.unit() as ledger:
        return await ledger.add_strike(member, "tg:-1", "profanity", 1, at, expires_at, "hash1")


async def test_add_strike_round_trip(db: Database) -> None:
    strike = await add(db, T0, T0 + 180 * DAY)
    assert strike == StrikeRecord(
        id=strike.id,
        member="tg:1",
        chat="tg:-1",
        rule="profanity",
        weight=1,
        at=T0,
        last_at=T0,
        violations=1,
        expires_at=T0 + 180 * DAY,
        pardoned_at=None,
        pardoned_by=None,
        pardon_reason=None,
        policy_hash="hash1",
    )
    async with db.unit() as ledger:
        assert await ledger.strike_history("tg:1") == [strike]
        assert await ledger.strike_history("tg:2") == []


async def test_active_strikes_leave_out_expired_and_pardoned_ones(db: Database) -> None:
    expired = await add(db, T0, T0 + DAY)
    pardoned = await add(db, T0 + DAY, None)
    forever = await add(db, T0 + 2 * DAY, None)
    later = await add(db, T0 + 3 * DAY, T0 + 30 * DAY)
    await add(db, T0, None, member="tg:2")
    async with db.unit() as ledger:
        await ledger.pardon_strike("tg:1", "tg:99", "mistake", T0 + 4 * DAY, strike_id=pardoned.id)
    async with db.unit() as ledger:
        active = await ledger.active_strikes("tg:1", T0 + 5 * DAY)
        history = await ledger.strike_history("tg:1")
    assert active == [forever, later]
    assert [strike.id for strike in history] == [expired.id, pardoned.id, forever.id, later.id]
    assert [strike.active_at(T0 + 5 * DAY) for strike in history] == [False, False, True, True]


async def test_a_strike_expiring_exactly_now_is_no_longer_active(db: Database) -> None:
    await add(db, T0, T0 + DAY)
    async with db.unit() as ledger:
        assert len(await ledger.active_strikes("tg:1", T0 + DAY - timedelta(microseconds=1))) == 1
        assert await ledger.active_strikes("tg:1", T0 + DAY) == []


async def test_extend_incident_counts_a_collapsed_repeat(db: Database) -> None:
    strike = await add(db, T0, None)
    async with db.unit() as ledger:
        await ledger.extend_incident(strike.id, T0 + timedelta(seconds=20))
        extended = await ledger.extend_incident(strike.id, T0 + timedelta(seconds=40))
    assert (extended.violations, extended.at, extended.last_at) == (3, T0, T0 + timedelta(seconds=40))
    async with db.unit() as ledger:
        assert await ledger.strike_history("tg:1") == [extended]


async def test_extend_incident_of_an_unknown_strike_raises(db: Database) -> None:
    async with db.unit() as ledger:
        with pytest.raises(NoResultFound):
            await ledger.extend_incident(404, T0)


async def test_pardon_without_id_takes_the_latest_active_strike(db: Database) -> None:
    older = await add(db, T0, None)
    newer = await add(db, T0 + DAY, None)
    await add(db, T0 + 2 * DAY, T0 + 3 * DAY)  # the newest, but expired by then
    async with db.unit() as ledger:
        pardoned = await ledger.pardon_strike("tg:1", "tg:99", "first offence", T0 + 4 * DAY)
    assert pardoned is not None and pardoned.id == newer.id
    assert (pardoned.pardoned_at, pardoned.pardoned_by, pardoned.pardon_reason) == (
        T0 + 4 * DAY,
        "tg:99",
        "first offence",
    )
    async with db.unit() as ledger:
        assert await ledger.active_strikes("tg:1", T0 + 4 * DAY) == [older]
        assert (await ledger.pardon_strike("tg:1", "tg:99", "again", T0 + 4 * DAY)) is not None
        assert await ledger.pardon_strike("tg:1", "tg:99", "nothing left", T0 + 4 * DAY) is None


async def test_pardon_by_id_refuses_pardoned_unknown_and_foreign_strikes(db: Database) -> None:
    strike = await add(db, T0, None)
    someone_elses = await add(db, T0, None, member="tg:2")
    async with db.unit() as ledger:
        assert await ledger.pardon_strike("tg:1", "tg:99", "ok", T0, strike_id=strike.id) is not None
        assert await ledger.pardon_strike("tg:1", "tg:99", "twice", T0, strike_id=strike.id) is None
        assert await ledger.pardon_strike("tg:1", "tg:99", "unknown", T0, strike_id=404) is None
        assert (
            await ledger.pardon_strike("tg:1", "tg:99", "not theirs", T0, strike_id=someone_elses.id) is None
        )
    async with db.unit() as ledger:
        [kept] = await ledger.strike_history("tg:2")
    assert kept.pardoned_at is None
