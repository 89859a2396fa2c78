"""Tickets are found by their card in the staff chat, or by their topic where the staff chat is a forum."""

from datetime import UTC, datetime, timedelta

from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def test_a_ticket_is_found_by_its_card_and_by_its_topic(db: Database) -> None:
    async with db.unit() as ledger:
        for number in (1, 2):
            await ledger.open_ticket(
                member=f"tg:{40 + number}",
                chat="tg:-1001",
                message_id=str(number),
                kind="problem",
                priority=2,
                lang="ru",
                text="нет связи",
                at=T0,
                due_at=T0 + timedelta(hours=24),
            )
        await ledger.update_ticket(2, T0, "card", None, staff_message_id="71", staff_topic_id="70")
        await ledger.update_ticket(2, T0, "closed", "tg:7", state="closed")  # keeps its card and topic
    async with db.unit() as ledger:
        by_topic, by_card = await ledger.ticket_by_topic("70"), await ledger.ticket_by_card("71")
        first = await ledger.ticket(1)
        assert await ledger.ticket_by_topic("71") is None
    assert by_topic is not None and by_topic == by_card and by_topic.id == 2
    assert (by_topic.staff_topic_id, by_topic.state) == ("70", "closed")
    assert first is not None and first.staff_topic_id is None
