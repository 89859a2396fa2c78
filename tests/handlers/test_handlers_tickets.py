"""The FAQ and tickets, platform-neutral, on a real SQLite file: answer, suggest, escalate, follow-ups,
staff replies through the tone guard, SLA reminders that survive a restart, and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.actions import CloseStaffThread, NotifyStaff, Reply
from handlers.escalation import Escalation, load_desk
from handlers.moderation import Moderation
from handlers.reports import report
from handlers.sla import sla_digest
from handlers.staff import Command, Staff
from handlers.tickets import TicketCommands
from policies.compile import load_policy
from policies.events import Author, ChatKind, Event
from policies.faq.decide import FaqDesk
from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CHAT, MEMBER, MOD = "tg:-1001", "tg:42", "tg:7"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open("sqlite+aiosqlite:///" + str(tmp_path / "modbot.sqlite3"))
    yield database
    await database.close()


@pytest.fixture
def escalation(db: Database) -> Escalation:
    policy = load_policy()
    return Escalation(db, policy, load_desk(policy))


def message(text: str, at: datetime = T0, number: int = 1, member: str = MEMBER) -> Event:
    return Event("tg", CHAT, ChatKind.GROUP, str(number), Author(member, "Оля", "olya"), text, at)


def command(text: str, at: datetime = T0, ticket: int | None = None) -> Command:
    name, *args = text.removeprefix("/").split()
    return Command(name, tuple(args), MOD, at, "tg", ticket=ticket)


async def test_a_known_question_is_answered_in_the_members_language(escalation: Escalation) -> None:
    (reply,) = await escalation.on_clean(message("Как проверить баланс?"))
    assert isinstance(reply, Reply) and reply.reply_to == "1" and reply.delete_after_s is None
    entry = escalation.desk.kb.entry("balance-check")
    assert entry is not None and entry.answer in reply.text and reply.text.startswith("@olya, ")
    (english,) = await escalation.on_clean(message("how do I check my balance?", number=2, member="tg:43"))
    assert isinstance(english, Reply) and entry.answers["en"] in english.text


async def test_chitchat_is_left_alone(escalation: Escalation) -> None:
    assert await escalation.on_clean(message("спасибо всем, доброе утро!")) == []


async def test_a_problem_becomes_a_ticket_with_a_card_and_an_acknowledgement(escalation: Escalation) -> None:
    actions = await escalation.on_clean(message("Верните деньги за роутер, списали 3000 без моего согласия!"))
    ack, card = actions
    assert isinstance(ack, Reply) and "№1" in ack.text and "24" in ack.text
    assert isinstance(card, NotifyStaff) and card.ticket_id == 1
    assert "Ticket #1" in card.text and "problem" in card.text and "urgent" in card.text
    async with escalation.db.unit() as ledger:
        ticket = await ledger.ticket(1)
    assert ticket is not None and ticket.state == "new" and ticket.due_at == T0 + timedelta(hours=24)


async def test_a_staff_reply_is_relayed_and_a_follow_up_joins_the_ticket(escalation: Escalation) -> None:
    tickets = TicketCommands(escalation)
    await escalation.on_clean(message("Третий день нет интернета на Ленина 5, что происходит?"))
    sent = await tickets.run(
        command("/reply 1 Проверили: авария устранена, перезагрузите роутер.", T0 + timedelta(hours=2))
    )
    (relay,) = sent.actions
    assert isinstance(relay, Reply) and relay.chat == CHAT and relay.reply_to == "1"
    assert relay.text == "@olya, ответ поддержки: Проверили: авария устранена, перезагрузите роутер."
    follow = await escalation.on_clean(message("всё равно не работает", T0 + timedelta(hours=3), number=2))
    (note,) = follow
    assert isinstance(note, NotifyStaff) and "#1" in note.text and "всё равно не работает" in note.text
    async with escalation.db.unit() as ledger:
        ticket = await ledger.ticket(1)
        kinds = [e.kind for e in await ledger.ticket_events(1)]
    assert ticket is not None and ticket.state == "open" and ticket.responder == MOD
    assert ticket.first_response_at == T0 + timedelta(hours=2)
    assert kinds == ["opened", "reply", "follow_up"]


async def test_a_follow_up_that_repeats_the_member_is_logged_not_posted(escalation: Escalation) -> None:
    await escalation.on_clean(message("АЛЛО!!! ГДЕ СВЯЗЬ"))
    assert await escalation.on_clean(message("алло, где связь?", T0 + timedelta(seconds=2), number=2)) == []
    address = "живу на Ленина 5, интернета нет третий день"
    (note,) = await escalation.on_clean(message(address, T0 + timedelta(seconds=4), number=3))
    assert isinstance(note, NotifyStaff) and address in note.text
    again = "ЖИВУ НА ЛЕНИНА 5!!! интернета нет третий день"
    assert await escalation.on_clean(message(again, T0 + timedelta(seconds=6), number=4)) == []
    corrected = "живу на Ленина 15, интернета нет третий день"  # a number changes what it says
    assert await escalation.on_clean(message(corrected, T0 + timedelta(seconds=8), number=5)) != []
    async with escalation.db.unit() as ledger:
        follow_ups = [e.text for e in await ledger.ticket_events(1, ("follow_up",))]
    assert follow_ups == ["алло, где связь?", address, again, corrected]


async def test_a_member_who_started_the_bot_gets_replies_privately(escalation: Escalation) -> None:
    start = Event("tg", "tg:42", ChatKind.PRIVATE, "1", Author(MEMBER, "Оля", "olya"), "/start", T0)
    (welcome,) = await escalation.on_private(start, "uk")
    assert welcome.chat == "tg:42" and "Вітаємо" in welcome.text
    assert await escalation.on_private(replace(start, text="алло", message_id="2")) == []  # said once
    await escalation.on_clean(message("Третий день нет интернета на Ленина 5, что происходит?"))
    sent = await TicketCommands(escalation).run(
        command("/reply 1 Авария устранена.", T0 + timedelta(hours=1))
    )
    (relay,) = sent.actions
    assert isinstance(relay, Reply) and relay.chat == "tg:42" and relay.reply_to is None
    assert relay.fallback == Reply(CHAT, "1", relay.text, "ticket_reply", delete_after_s=None)
    assert "(privately)" in sent.text


async def test_a_private_dialog_is_answered_and_its_tickets_are_answered_there(
    escalation: Escalation,
) -> None:
    private = Event("tg", "tg:42", ChatKind.PRIVATE, "1", Author(MEMBER, "Оля", "olya"), "/start", T0)
    await escalation.on_private(private)
    entry = escalation.desk.kb.entry("balance-check")
    assert entry is not None
    later = T0 + timedelta(minutes=1)
    (answer,) = await escalation.on_private(
        replace(private, text="Как проверить баланс?", message_id="2", at=later)
    )
    assert isinstance(answer, Reply) and answer.chat == "tg:42" and answer.reply_to == "2"
    assert entry.answer in answer.text
    # Not a question, not to the brand in a group, but written to the brand itself: a ticket.
    remark = replace(
        private, text="у меня списали 300 рублей за подписку которую я не подключала", message_id="3"
    )
    ack, card = await escalation.on_private(replace(remark, at=T0 + timedelta(minutes=10)))
    assert isinstance(ack, Reply) and ack.chat == "tg:42" and ack.reply_to == "3"
    assert isinstance(card, NotifyStaff) and "Where: tg:42 · private dialog" in card.text
    sent = await TicketCommands(escalation).run(command("/reply 2 Вернули 300 ₽.", T0 + timedelta(hours=1)))
    (relay,) = sent.actions
    assert isinstance(relay, Reply) and relay.chat == "tg:42" and relay.reply_to == "3"
    assert relay.fallback is None
    assert await escalation.on_private(replace(private, text="спасибо", message_id="4", at=later)) == []


async def test_a_ticket_in_its_own_staff_thread_gets_follow_ups_there_and_ends_it(
    escalation: Escalation,
) -> None:
    """Where the staff chat has threads: the card names one, follow-ups go into it, closing ends it."""
    tickets = TicketCommands(escalation)
    _, card = await escalation.on_clean(message("Третий день нет интернета на Ленина 5, что происходит?"))
    assert isinstance(card, NotifyStaff)
    assert card.thread_title == "#1 · Оля · Третий день нет интернета на Ленина 5, что происходит?"
    async with escalation.db.unit() as ledger:
        await ledger.update_ticket(1, T0, "card", None, staff_message_id="70", staff_topic_id="69")
    (note,) = await escalation.on_clean(message("всё равно не работает", T0 + timedelta(hours=1), number=2))
    assert isinstance(note, NotifyStaff) and (note.thread, note.reply_to_card) == ("69", "70")
    relayed = await tickets.relay(1, "Проверяем, напишем до вечера.", MOD, T0 + timedelta(hours=2))
    assert isinstance(relayed.actions[0], Reply) and relayed.actions[0].reply_to == "1"
    closed = await tickets.run(command("/close", T0 + timedelta(hours=3), ticket=1))
    assert "closed" in closed.text and closed.actions == (CloseStaffThread("69"),)
    late = await tickets.relay(1, "ещё одно", MOD, T0 + timedelta(hours=4))
    assert late.actions == () and "is closed" in late.text


async def test_the_tone_guard_blocks_a_rude_or_political_reply(escalation: Escalation) -> None:
    tickets = TicketCommands(escalation)
    await escalation.on_clean(message("Почему у меня списали деньги за подписку, которую я не подключал?"))
    for text, reason in (
        ("ты идиот, читай договор", "insult"),
        ("это всё из-за санкций и политики", "sensitive"),
    ):
        blocked = await tickets.run(command(f"/reply 1 {text}"))
        assert blocked.actions == () and "Not sent" in blocked.text and reason in blocked.text
    async with escalation.db.unit() as ledger:
        ticket = await ledger.ticket(1)
    assert ticket is not None and ticket.first_response_at is None


async def test_suggestions_are_picked_by_the_asker_only(escalation: Escalation) -> None:
    # Lexical only: meaning that agrees would answer it however high the answer band.
    cautious = escalation.policy.spec.faq.model_copy(update={"answer": 1, "suggest": 0.2, "semantic": False})
    escalation.use(escalation.policy, FaqDesk(escalation.desk.kb, cautious))
    (offer,) = await escalation.on_clean(message("как положить деньги на счёт"))
    assert isinstance(offer, Reply) and offer.buttons[-1].data == "faq:1:none"
    assert offer.buttons[0].data == "faq:1:0" and len(offer.buttons) >= 2
    notice, nothing = await escalation.on_pick("faq:1:0", "tg:99", T0)
    assert nothing == [] and "someone else" in notice
    _, (answer,) = await escalation.on_pick("faq:1:0", MEMBER, T0 + timedelta(minutes=1))
    assert isinstance(answer, Reply) and answer.reply_to == "1"
    assert (await escalation.on_pick("faq:1:0", MEMBER, T0))[0] == "Already answered."


async def test_none_of_these_escalates(escalation: Escalation) -> None:
    async with escalation.db.unit() as ledger:
        await ledger.open_ticket(
            member=MEMBER,
            chat=CHAT,
            message_id="1",
            kind="question",
            priority=1,
            lang="ru",
            text="?",
            at=T0,
            due_at=T0 + timedelta(hours=24),
            state="suggested",
            suggestions=["top-up"],
        )
    _, (ack, card) = await escalation.on_pick("faq:1:none", MEMBER, T0)
    assert isinstance(ack, Reply) and isinstance(card, NotifyStaff) and card.ticket_id == 1


async def test_sla_reminders_are_sent_once_even_across_a_restart(
    tmp_path: Path, escalation: Escalation
) -> None:
    await escalation.on_clean(message("Позвоните мне, пожалуйста, не могу решить вопрос с договором"))
    settings = escalation.policy.spec.tickets
    assert await sla_digest(escalation.db, settings, T0 + timedelta(hours=1)) == []
    (digest,) = await sla_digest(escalation.db, settings, T0 + timedelta(hours=20, minutes=1))
    assert isinstance(digest, NotifyStaff) and "due soon" in digest.text and "#1" in digest.text
    await escalation.db.close()
    reopened = await Database.open("sqlite+aiosqlite:///" + str(tmp_path / "modbot.sqlite3"))
    try:
        assert await sla_digest(reopened, settings, T0 + timedelta(hours=20, minutes=5)) == []
        (near,) = await sla_digest(reopened, settings, T0 + timedelta(hours=23, minutes=1))
        assert "due soon" in near.text
        (breach,) = await sla_digest(reopened, settings, T0 + timedelta(hours=25))
        assert "SLA missed" in breach.text
        assert await sla_digest(reopened, settings, T0 + timedelta(hours=26)) == []
    finally:
        escalation.db = reopened


async def test_close_dismiss_snooze_assign_and_the_list(escalation: Escalation) -> None:
    tickets = TicketCommands(escalation)
    for number, text in enumerate(("Позвоните мне по поводу счёта", "Добавьте тёмную тему в приложение"), 1):
        await escalation.on_clean(message(text, T0 + timedelta(minutes=number), number, f"tg:{40 + number}"))
    listing = await tickets.run(command("/tickets", T0 + timedelta(hours=1)))
    assert listing.text.splitlines()[1].startswith("#1 ") and "23 h" in listing.text
    assert "assigned to @anna" in (await tickets.run(command("/assign 1 @anna"))).text
    assert "on hold until" in (await tickets.run(command("/snooze 2 2h"))).text
    (woke,) = await sla_digest(escalation.db, escalation.policy.spec.tickets, T0 + timedelta(hours=3))
    assert "back from hold" in woke.text and "#2" in woke.text
    closed = await tickets.run(command("/close", ticket=1))
    assert "closed" in closed.text and closed.actions == ()  # no staff thread to close
    assert "dismissed" in (await tickets.run(command("/dismiss 2"))).text
    assert "is closed" in (await tickets.run(command("/reply 1 ещё что-то"))).text
    assert "No open tickets" in (await tickets.run(command("/tickets"))).text
    assert "usage" in (await tickets.run(command("/snooze 1"))).text


async def test_answer_from_the_kb_and_the_proposed_phrasing(escalation: Escalation) -> None:
    tickets = TicketCommands(escalation)
    await escalation.on_clean(message("Позвоните мне насчёт роуминга в Турции"))
    done = await tickets.run(command("/answer 1 roaming"))
    (answer,) = done.actions
    assert isinstance(answer, Reply) and answer.reply_to == "1"
    listing = await tickets.run(command("/kb suggestions"))
    assert "#1 → roaming" in listing.text and "Турции" in listing.text


async def test_reload_swaps_the_knowledge_base_or_keeps_the_old_one(tmp_path: Path, db: Database) -> None:
    from bot.policy_commands import copy_default_policy

    file = copy_default_policy(tmp_path / "policy")
    policy = load_policy(file)
    escalation = Escalation(db, policy, load_desk(policy))
    staff = Staff(Moderation(policy, db), lambda: load_policy(file), TicketCommands(escalation))
    kb = file.parent / "kb.yaml"
    kb.write_text(
        kb.read_text(encoding="utf-8").replace("\nentries:\n", "\nentries:\n  - idd: x\n", 1),
        encoding="utf-8",
    )
    failed = await staff.run(command("/reload"))
    assert "reload failed" in failed.text and "kb.yaml:" in failed.text and "idd" in failed.text
    assert escalation.desk.kb.entries


async def test_metrics_on_a_known_log() -> None:
    from storage.records import TicketRecord

    def ticket(
        n: int, responded_after: timedelta | None, by: str = MOD, state: str = "resolved"
    ) -> TicketRecord:
        opened = T0 + timedelta(days=n % 2)
        return TicketRecord(
            n,
            MEMBER,
            CHAT,
            str(n),
            "question",
            1,
            "ru",
            "?",
            state,
            opened,
            opened + timedelta(hours=24),
            opened + responded_after if responded_after is not None else None,
            by if responded_after is not None else None,
            None,
            None,
            None,
            None,
            [],
        )

    tickets = [
        ticket(1, timedelta(0), "bot"),
        ticket(2, timedelta(hours=2)),
        ticket(3, timedelta(hours=30)),
        ticket(4, None, state="new"),
        ticket(5, None, state="dismissed"),
    ]
    result = report(tickets)
    total = result.total
    assert (total.questions, total.responded, total.within_sla, total.by_bot) == (4, 3, 2, 1)
    assert total.response_rate == 0.75 and total.median == timedelta(hours=2)
    assert "answered 75%" in total.line() and "+2" in total.line()
    assert sorted(result.per_day) == ["2026-03-02", "2026-03-03"]


async def test_an_accepted_phrasing_lands_in_the_yaml_with_its_comments(tmp_path: Path, db: Database) -> None:
    from bot.policy_commands import copy_default_policy

    policy = load_policy(copy_default_policy(tmp_path / "policy"))
    escalation = Escalation(db, policy, load_desk(policy))
    tickets = TicketCommands(escalation)
    kb = tmp_path / "policy" / "kb.yaml"
    comments = [line for line in kb.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    question = "Позвоните мне, пожалуйста: как в Турции включить роуминг, чтобы не списали лишнего"
    await escalation.on_clean(message(question))
    await tickets.run(command("/answer 1 roaming"))
    assert "#1 → roaming" in (await tickets.run(command("/kb suggestions"))).text

    accepted = await tickets.run(command("/kb accept 1"))
    assert "added to roaming" in accepted.text
    text = kb.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    entry = escalation.desk.kb.entry("roaming")
    assert entry is not None and entry.questions[-1] == question
    assert "no proposed phrasing" in (await tickets.run(command("/kb accept 7"))).text


async def test_a_burst_of_questions_gets_one_bot_answer(escalation: Escalation) -> None:
    first = await escalation.on_clean(message("Как проверить баланс?"))
    again = await escalation.on_clean(message("как узнать баланс??", T0 + timedelta(seconds=20), 2))
    later = await escalation.on_clean(message("как узнать баланс?", T0 + timedelta(minutes=6), 3))
    assert len(first) == 1 and again == [] and len(later) == 1


async def test_working_hours_set_the_due_time_and_the_promised_wait(tmp_path: Path, db: Database) -> None:
    from bot.policy_commands import copy_default_policy

    file = copy_default_policy(tmp_path / "policy")
    file.write_text(
        file.read_text().replace(
            "  sla: 24h\n",
            '  sla: 8h\n  working_hours: {timezone: Europe/Moscow, start: "09:00", end: "18:00"}\n',
        )
    )
    policy = load_policy(file)
    escalation = Escalation(db, policy, load_desk(policy))
    friday_evening = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)  # 17:00 in Moscow
    ack, _card = await escalation.on_clean(message("Позвоните мне по поводу договора", friday_evening))
    async with db.unit() as ledger:
        ticket = await ledger.ticket(1)
    assert ticket is not None and ticket.due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Mon 16:00 MSK
    assert isinstance(ack, Reply) and "71 ч" in ack.text  # Friday 17:00 to Monday 16:00
