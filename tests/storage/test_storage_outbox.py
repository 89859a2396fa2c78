"""The outbox on a real SQLite file: posts come back as they went in, in order, to one process only once
their sender stopped (a clean shutdown gives them up at once, a crash when the lease runs out)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot import outbox as outbox_module
from bot.outbox import Outbox
from handlers.actions import Button, NotifyStaff, Reply
from storage.db import Database

ANSWER = Reply("tg:-100", "42", "@gosha, *100#", "faq_suggest", None, (Button("Баланс", "faq:3:0"),))
PRIVATE = Reply("tg:42", None, "ответ", "ticket_reply", None, fallback=ANSWER)
CARD = NotifyStaff("Ticket #3", "tg:101", "tg:-100", ticket_id=3, thread_title="#3 · Гоша")


async def test_a_clean_shutdown_hands_the_posts_left_to_one_next_process(db: Database) -> None:
    sender = Outbox(db, "tg")
    first, second, third = [await sender.keep(post) for post in (ANSWER, CARD, PRIVATE)]
    await sender.sent(first)
    replica = Outbox(db, "tg")
    assert await replica.adopt() == []  # the sender is alive: its leases hold
    await sender.release()
    assert await Outbox(db, "vk").adopt() == []  # each platform its own
    assert await replica.adopt() == [(second, CARD), (third, PRIVATE)]
    assert await Outbox(db, "tg").adopt() == []  # adopted once


async def test_a_crashed_senders_posts_are_adopted_when_its_lease_runs_out(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "LEASE", timedelta(milliseconds=50))
    post = await Outbox(db, "tg").keep(ANSWER)  # its process dies: nobody renews
    survivor, deadline = Outbox(db, "tg"), datetime.now(UTC) + timedelta(seconds=5)
    await survivor.renew()
    while not (adopted := await survivor.adopt()):
        assert datetime.now(UTC) < deadline
    assert adopted == [(post, ANSWER)]


async def test_a_post_this_version_cannot_read_is_dropped_not_retried(db: Database) -> None:
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.unit() as ledger:
        await ledger.keep_post("tg", {"kind": "reply", "no_such_field": 1}, long_ago, "gone", long_ago)
    assert await Outbox(db, "tg").adopt() == []
    async with db.unit() as ledger:
        assert await ledger.adopt_posts("tg", "x", datetime.now(UTC), datetime.now(UTC)) == []
