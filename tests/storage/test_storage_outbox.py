"""The outbox on a real SQLite file: posts come back as they went in, in order, until marked sent."""

from datetime import UTC, datetime

from bot.outbox import Outbox
from handlers.actions import Button, NotifyStaff, Reply
from storage.db import Database

ANSWER_AT = datetime(2026, 12, 3, 12, tzinfo=UTC)
ANSWER = Reply("tg:-100", "42", "@gosha, *100#", "faq_suggest", None, (Button("Баланс", "faq:3:0"),))
PRIVATE = Reply("tg:42", None, "ответ", "ticket_reply", None, fallback=ANSWER)
CARD = NotifyStaff("Ticket #3", "tg:101", "tg:-100", ticket_id=3, thread_title="#3 · Гоша")


async def test_posts_are_kept_in_order_until_sent(db: Database) -> None:
    outbox = Outbox(db, "tg")
    first, second, third = [await outbox.keep(post) for post in (ANSWER, CARD, PRIVATE)]
    assert await Outbox(db, "vk").waiting() == []  # each platform its own
    assert await outbox.waiting() == [(first, ANSWER), (second, CARD), (third, PRIVATE)]
    await outbox.sent(first)
    assert await outbox.waiting() == [(second, CARD), (third, PRIVATE)]


async def test_a_post_this_version_cannot_read_is_dropped_not_retried(db: Database) -> None:
    async with db.unit() as ledger:
        await ledger.keep_post("tg", {"kind": "reply", "no_such_field": 1}, ANSWER_AT)
    outbox = Outbox(db, "tg")
    assert await outbox.waiting() == []
    async with db.unit() as ledger:
        assert await ledger.waiting_posts("tg") == []
