"""Members and chats."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage import Database, MemberRecord

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


async def test_upsert_member_creates_then_updates(db: Database) -> None:
    async with db.unit() as ledger:
        created = await ledger.upsert_member("tg:12345", T0, display_name="Ann", username="ann_k")
    assert created == MemberRecord("tg:12345", "tg", "12345", "Ann", "ann_k", T0, T0)
    async with db.unit() as ledger:
        updated = await ledger.upsert_member("tg:12345", T1, display_name="Ann K.")
    assert updated == MemberRecord("tg:12345", "tg", "12345", "Ann K.", "ann_k", T0, T1)
    async with db.unit() as ledger:
        assert await ledger.find_member("tg:12345") == updated


async def test_upsert_member_twice_in_one_unit(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.upsert_member("vk:7", T0)
        member = await ledger.upsert_member("vk:7", T1, username="seven")
    assert (member.platform, member.user_id, member.first_seen, member.last_seen) == ("vk", "7", T0, T1)


@pytest.mark.parametrize("key", ["12345", ":12345", "tg:"])
async def test_a_key_without_platform_and_id_is_refused(db: Database, key: str) -> None:
    async with db.unit() as ledger:
        with pytest.raises(ValueError, match="platform:id"):
            await ledger.upsert_member(key, T0)


async def test_find_member_by_username_ignores_case_and_prefers_the_latest_seen(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.upsert_member("tg:1", T0, username="Ann")
        await ledger.upsert_member("vk:2", T1, username="ann")
        await ledger.upsert_member("tg:3", T0, username="bob")
    async with db.unit() as ledger:
        assert (found := await ledger.find_member("@ANN")) is not None and found.key == "vk:2"
        assert (found := await ledger.find_member("@Bob")) is not None and found.key == "tg:3"
        assert await ledger.find_member("@nobody") is None
        assert await ledger.find_member("@") is None
        assert await ledger.find_member("tg:404") is None


async def test_upsert_chat_creates_then_updates(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.upsert_chat("tg:-1001", "group", "Fans")
        await ledger.upsert_chat("vk:wall:-5", "wall")
    async with db.unit() as ledger:
        await ledger.upsert_chat("tg:-1001", "supergroup")
    async with db.engine.connect() as connection:
        rows = (
            await connection.execute(text("SELECT key, platform, kind, title FROM chats ORDER BY key"))
        ).all()
    assert [tuple(row) for row in rows] == [
        ("tg:-1001", "tg", "supergroup", "Fans"),
        ("vk:wall:-5", "vk", "wall", None),
    ]
