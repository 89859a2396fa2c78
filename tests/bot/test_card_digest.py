"""bot/telegram/card_digest.py: the staff cards past the budget of a raid become digests, none lost."""

from __future__ import annotations

import asyncio

from bot.telegram import card_digest
from bot.telegram.card_digest import CardDigest, digest_texts
from handlers.actions import NotifyStaff


def card(n: int) -> NotifyStaff:
    text = f"🛡 Реклама: warn (done)\n👤 Спамер {n} · tg:{n}\n💬 tg:-1001 · message {n}\n🔎 link t.me/x"
    return NotifyStaff(text, f"tg:{n}", "tg:-1001", strike_id=n)


def test_a_digest_has_a_line_per_card_with_its_strike() -> None:
    [text] = digest_texts([card(1), card(2)])
    lines = text.splitlines()
    assert lines[0].startswith("🚨 2 cards")
    assert lines[1] == "🛡 Реклама: warn (done) · 👤 Спамер 1 · tg:1 · 💬 tg:-1001 · message 1 · strike #1"
    assert "🔎" not in text  # the explanation stays on the audit log, the digest stays short


def test_a_ticket_is_a_line_with_the_members_words_and_how_to_answer() -> None:
    text = "\n".join(
        ["🔹 Ticket #7 · problem · normal priority", "From: Гоша · tg:5", "Where: tg:-1001", "«нет связи»"]
    )
    [digest] = digest_texts([NotifyStaff(text, "tg:5", "tg:-1001", ticket_id=7)])
    assert digest.splitlines()[1] == (
        "🔹 Ticket #7 · problem · normal priority · From: Гоша · tg:5 · «нет связи» · /reply 7"
    )


def test_a_long_digest_is_split_below_the_message_limit() -> None:
    texts = digest_texts([card(n) for n in range(300)])
    assert len(texts) > 1 and all(len(t) <= 4096 for t in texts)
    assert sum(t.count("strike #") for t in texts) == 300


async def test_cards_wait_for_room_then_go_out_together(monkeypatch) -> None:
    monkeypatch.setattr(card_digest, "CHECK_S", 0.01)
    room = False
    posted: list[str] = []

    async def post(text: str) -> None:
        posted.append(text)

    digest = CardDigest(lambda: room, post)
    task = digest.add(card(1))
    assert digest.add(card(2)) is task
    await asyncio.sleep(0.05)
    assert posted == []  # no room in the staff chat yet
    room = True
    await asyncio.wait_for(task, 1)
    assert len(posted) == 1 and "2 cards" in posted[0]
    await asyncio.wait_for(digest.add(card(3)), 1)
    assert len(posted) == 2 and "1 card folded" in posted[1]
