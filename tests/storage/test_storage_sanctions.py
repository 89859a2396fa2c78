"""Sanctions: bans and mutes with expiry, staff confirmation and lifting."""

from datetime import UTC, datetime, timedelta

import pytest

from storage import Database, SanctionRecord

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def add(
    db: Database,
    until: datetime | None,
    member: str = "tg:1",
    chat: str = "tg:-1",
    kind: str = "ban",
    status: str = "active",
    at: datetime = T0,
) -> SanctionRecord:
    async with db.unit() as ledger:
        return await ledger.add_sanction(member, chat, kind, at, until, None, "ladder step 2", status=status)


async def test_add_sanction_round_trip(db: Database) -> None:
    async with db.unit() as ledger:
        strike = await ledger.add_strike("tg:1", "tg:-1", "ads", 1, T0, None, "h")
        sanction = await ledger.add_sanction("tg:1", "tg:-1", "mute", T0, T0 + DAY, strike.id, "flood")
    assert sanction == SanctionRecord(
        id=sanction.id,
        member="tg:1",
        chat="tg:-1",
        kind="mute",
        at=T0,
        until=T0 + DAY,
        status="active",
        strike_id=strike.id,
        decided_by=None,
        decided_at=None,
        reason="flood",
    )
    async with db.unit() as ledger:
        assert await ledger.member_sanctions("tg:1") == [sanction]


@pytest.mark.parametrize(("kind", "status"), [("kick", "active"), ("ban", "lifted"), ("ban", "bogus")])
async def test_add_sanction_refuses_unknown_kinds_and_statuses(db: Database, kind: str, status: str) -> None:
    async with db.unit() as ledger:
        with pytest.raises(ValueError, match="unknown"):
            await ledger.add_sanction("tg:1", "tg:-1", kind, T0, None, None, "x", status=status)


async def test_active_sanctions_are_in_force_now(db: Database) -> None:
    forever = await add(db, None)
    week = await add(db, T0 + 7 * DAY, kind="mute")
    await add(db, T0 + DAY)  # over by the time we ask
    await add(db, None, status="pending")
    await add(db, None, member="tg:2")
    async with db.unit() as ledger:
        assert await ledger.active_sanctions("tg:1", T0 + 2 * DAY) == [forever, week]
        assert len(await ledger.member_sanctions("tg:1")) == 4


async def test_due_sanctions_are_active_ones_whose_time_is_up(db: Database) -> None:
    later = await add(db, T0 + 2 * DAY, member="tg:1")
    sooner = await add(db, T0 + DAY, member="tg:2")
    await add(db, T0 + 3 * DAY, member="tg:3")  # not yet
    await add(db, None, member="tg:4")  # forever
    await add(db, T0 + DAY, member="tg:5", status="pending")
    async with db.unit() as ledger:
        assert await ledger.due_sanctions(T0 + 2 * DAY) == [sooner, later]
        await ledger.decide_sanction(sooner.id, "expired", None, T0 + 2 * DAY)
    async with db.unit() as ledger:
        assert await ledger.due_sanctions(T0 + 2 * DAY) == [later]


async def test_pending_sanctions_wait_for_a_staff_decision(db: Database) -> None:
    confirmed = await add(db, None, status="pending", member="tg:1")
    rejected = await add(db, None, status="pending", member="tg:2")
    await add(db, None, member="tg:3")
    async with db.unit() as ledger:
        assert await ledger.pending_sanctions() == [confirmed, rejected]
        now = T0 + timedelta(minutes=5)
        active = await ledger.decide_sanction(confirmed.id, "active", "tg:99", now)
        await ledger.decide_sanction(rejected.id, "rejected", "tg:98", now)
    assert active is not None
    assert (active.status, active.decided_by, active.decided_at) == ("active", "tg:99", now)
    async with db.unit() as ledger:
        assert await ledger.pending_sanctions() == []
        assert await ledger.active_sanctions("tg:1", now) == [active]
        assert [s.status for s in await ledger.member_sanctions("tg:2")] == ["rejected"]


async def test_decide_sanction_unknown_id_and_unknown_status(db: Database) -> None:
    sanction = await add(db, None)
    async with db.unit() as ledger:
        assert await ledger.decide_sanction(404, "lifted", "tg:99", T0) is None
        with pytest.raises(ValueError, match="unknown sanction decision"):
            await ledger.decide_sanction(sanction.id, "pending", "tg:99", T0)


async def test_lift_sanctions_lifts_the_members_active_ones(db: Database) -> None:
    ban = await add(db, None, chat="tg:-1")
    mute = await add(db, T0 + DAY, chat="tg:-2", kind="mute")
    pending = await add(db, None, status="pending")
    await add(db, None, member="tg:2")
    now = T0 + timedelta(hours=1)
    async with db.unit() as ledger:
        lifted = await ledger.lift_sanctions("tg:1", "tg:99", now)
    assert [(s.id, s.status, s.decided_by, s.decided_at) for s in lifted] == [
        (ban.id, "lifted", "tg:99", now),
        (mute.id, "lifted", "tg:99", now),
    ]
    async with db.unit() as ledger:
        assert await ledger.active_sanctions("tg:1", now) == []
        assert await ledger.pending_sanctions() == [pending]
        assert len(await ledger.active_sanctions("tg:2", now)) == 1
        assert await ledger.lift_sanctions("tg:1", "tg:99", now) == []


async def test_lift_sanctions_in_one_chat(db: Database) -> None:
    await add(db, None, chat="tg:-1")
    other_chat = await add(db, None, chat="tg:-2")
    async with db.unit() as ledger:
        [lifted] = await ledger.lift_sanctions("tg:1", "tg:99", T0, chat="tg:-1")
        assert lifted.chat == "tg:-1"
        assert await ledger.active_sanctions("tg:1", T0) == [other_chat]
