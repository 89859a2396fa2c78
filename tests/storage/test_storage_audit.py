"""The audit log and the counts reports are made of."""

from datetime import UTC, datetime, timedelta
from typing import Any

from storage import AuditRecord, Database

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_audit_round_trip(db: Database) -> None:
    data = {"span": [6, 11], "detector": "lexicon:mat_ru", "text": "6лять"}
    async with db.unit() as ledger:
        entry_id = await ledger.audit(
            T0,
            "strike",
            "rule=profanity span[6:11]",
            member="tg:1",
            chat="tg:-1",
            rule="profanity",
            policy_hash="abc",
            actor="bot",
            data=data,
        )
        minimal_id = await ledger.audit(T0 + HOUR, "reload", "policy reloaded")
    async with db.unit() as ledger:
        entries = await ledger.audit_entries()
    assert entries == [
        AuditRecord(minimal_id, T0 + HOUR, "reload", None, None, None, "policy reloaded", None, None, {}),
        AuditRecord(
            entry_id,
            T0,
            "strike",
            "tg:1",
            "tg:-1",
            "profanity",
            "rule=profanity span[6:11]",
            "abc",
            "bot",
            data,
        ),
    ]


async def test_audit_entries_filters_newest_first(db: Database) -> None:
    async with db.unit() as ledger:
        for hour, (kind, member) in enumerate(
            [("strike", "tg:1"), ("ban", "tg:1"), ("strike", "tg:2"), ("pardon", "tg:1"), ("strike", "tg:1")]
        ):
            await ledger.audit(T0 + hour * HOUR, kind, f"entry {hour}", member=member)
    async with db.unit() as ledger:

        async def explanations(**filters: Any) -> list[str]:
            return [entry.explanation for entry in await ledger.audit_entries(**filters)]

        assert await explanations() == [f"entry {hour}" for hour in (4, 3, 2, 1, 0)]
        assert await explanations(member="tg:1") == ["entry 4", "entry 3", "entry 1", "entry 0"]
        assert await explanations(since=T0 + 2 * HOUR) == ["entry 4", "entry 3", "entry 2"]
        assert await explanations(kinds=("ban", "pardon")) == ["entry 3", "entry 1"]
        assert await explanations(member="tg:1", kinds=("strike",), since=T0 + HOUR) == ["entry 4"]
        assert await explanations(limit=2) == ["entry 4", "entry 3"]
        assert await explanations(kinds=()) == []


async def test_counts_by_rule_per_rule_and_chat(db: Database) -> None:
    entries = [
        (T0, "strike", "ads", "tg:-1"),  # before `since`
        (T0 + HOUR, "strike", "ads", "tg:-1"),
        (T0 + 2 * HOUR, "strike", "ads", "tg:-1"),
        (T0 + 2 * HOUR, "strike", "ads", "tg:-2"),
        (T0 + 3 * HOUR, "strike", "flood", "tg:-1"),
        (T0 + 3 * HOUR, "delete", "ads", "tg:-1"),
        (T0 + 3 * HOUR, "strike", None, "tg:-1"),
    ]
    async with db.unit() as ledger:
        for at, kind, rule, chat in entries:
            await ledger.audit(at, kind, "x", member="tg:1", chat=chat, rule=rule)
    async with db.unit() as ledger:
        assert await ledger.counts_by_rule(T0 + HOUR) == {
            ("ads", "tg:-1"): 2,
            ("ads", "tg:-2"): 1,
            ("flood", "tg:-1"): 1,
        }
        assert await ledger.counts_by_rule(T0, kind="delete") == {("ads", "tg:-1"): 1}
        assert await ledger.counts_by_rule(T0 + 4 * HOUR) == {}
