"""The members' side of the FAQ and tickets, platform-neutral: a clean group message is answered from the
knowledge base, offered suggestions, or turned into a ticket for the staff chat; a member's next messages
join their live ticket; a press on a suggestion answers or escalates."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from handlers.actions import Action, Button, NotifyStaff, Reply
from handlers.cards import member_line
from handlers.moderation import member_name
from handlers.ticket_cards import thread_title, ticket_card
from policies.compile import CompiledPolicy
from policies.events import Author, ChatKind, Event
from policies.faq.decide import Decision, FaqDesk, FaqOutcome, faq_desk
from policies.faq.lang import detect_lang
from policies.faq.triage import Kind
from policies.templates import LANGS
from policies.working_hours import due_time
from storage import Database, Ledger
from storage.records import TicketRecord

BOT = "bot"  # the responder of tickets the bot answered itself
ANSWERED_CHATS = frozenset({ChatKind.GROUP, ChatKind.WALL_COMMENT, ChatKind.BOARD_COMMENT})
REPEAT_WINDOW = timedelta(days=7)
ANSWER_COOLDOWN = timedelta(minutes=5)
_LABEL = 60  # a suggestion button's text, at most
_NOT_WORDS = re.compile(r"[\W_]+")


def load_desk(policy: CompiledPolicy) -> FaqDesk:
    """The policy's knowledge base, ready to match; raises PolicyError when it does not validate."""
    return faq_desk(None, policy.spec.faq, policy.path.parent)


class Escalation:
    def __init__(self, db: Database, policy: CompiledPolicy, desk: FaqDesk) -> None:
        self.db = db
        self.use(policy, desk)

    def use(self, policy: CompiledPolicy, desk: FaqDesk) -> None:
        self.policy = policy
        self.desk = desk

    def _render(self, template: str, lang: str, **values: str) -> str:
        return self.policy.templates.render(template, lang, **values)

    async def on_private(self, event: Event, lang: str | None = None) -> list[Action]:
        """A member writing to the bot privately: their tickets' replies come here from now on, and what
        they ask is answered or passed to the team as in a group, except that nothing here is addressed
        to other members. `lang`: the member's app language where the platform tells it."""
        if event.author.key is None:
            return []
        async with self.db.unit() as ledger:
            new = await ledger.start_private_chat(event.author.key, event.chat, event.at)
        start = event.text.startswith("/start")
        actions: list[Action] = []
        if new or start:  # a welcome is said once, or when asked for again
            welcome = self._render("private_welcome", lang if lang in LANGS else detect_lang(event.text))
            actions.append(Reply(event.chat, None, welcome, "private_welcome", delete_after_s=None))
        if not start:
            actions += await self._respond(event, self.desk.decide(event.text, addressed=True))
        return actions

    async def on_clean(self, event: Event) -> list[Action]:
        """A group message that broke no rule."""
        faq = self.policy.spec.faq
        if event.author.key is None or event.chat_kind not in ANSWERED_CHATS or event.shadow:
            return []
        if faq.chats is not None and event.chat not in faq.chats:
            return []
        return await self._respond(event, self.desk.decide(event.text))

    async def _respond(self, event: Event, outcome: FaqOutcome) -> list[Action]:
        member = event.author.key
        assert member is not None
        async with self.db.unit() as ledger:
            since = event.at - self.policy.spec.tickets.follow_up_within
            live = await ledger.live_ticket(member, event.chat, since)
            if live is not None and live.state != "suggested":
                return await self._follow_up(ledger, live, event, outcome)
            if outcome.decision is Decision.IGNORE:
                return []
            if outcome.decision is not Decision.ESCALATE and await self._answered_lately(ledger, event):
                return []  # one bot answer per member per few minutes: a burst of messages gets one
            if outcome.decision is Decision.ANSWER:
                return await self._answer(ledger, event, outcome)
            if outcome.decision is Decision.SUGGEST:
                return await self._suggest(ledger, event, outcome)
            return await self._escalate(ledger, event, outcome)

    async def _answered_lately(self, ledger: Ledger, event: Event) -> bool:
        assert event.author.key is not None
        latest = await ledger.latest_ticket(event.author.key, event.chat)
        return (
            latest is not None
            and latest.opened_at >= event.at - ANSWER_COOLDOWN
            and (latest.state == "suggested" or latest.responder == BOT)
        )

    async def _open(self, ledger: Ledger, event: Event, outcome: FaqOutcome, state: str) -> TicketRecord:
        assert event.author.key is not None
        # Known by name, so that a moderator's relayed reply can address the member.
        await ledger.upsert_member(
            event.author.key, event.at, event.author.name or None, event.author.username
        )
        tickets = self.policy.spec.tickets
        return await ledger.open_ticket(
            member=event.author.key,
            chat=event.chat,
            message_id=event.message_id,
            kind=outcome.triage.kind.value,
            priority=await self._priority(ledger, event, outcome),
            lang=outcome.lang,
            text=event.text,
            at=event.at,
            due_at=due_time(event.at, tickets.sla, tickets.working_hours),
            state=state,
            suggestions=outcome.suggestions or ([outcome.entry] if outcome.entry else []),
        )

    async def _priority(self, ledger: Ledger, event: Event, outcome: FaqOutcome) -> int:
        """low for ideas, normal for questions, high for problems; severity words (courts, regulators,
        "верните деньги"), a repeated complaint, a key product or a member with reach raise it."""
        kind = outcome.triage.kind
        priority = {Kind.IDEA: 0, Kind.QUESTION: 1, Kind.PROBLEM: 2}.get(kind, 1)
        if outcome.triage.severe:
            priority = 3
        assert event.author.key is not None
        if kind is Kind.PROBLEM and await ledger.tickets_of_member(
            event.author.key, event.at - REPEAT_WINDOW
        ):
            priority = 3
        text = event.text.casefold()
        if any(word.casefold() in text for word in self.policy.spec.tickets.key_products):
            priority = min(priority + 1, 3)
        if (event.author.reach or 0) >= 10_000:
            priority = min(priority + 1, 3)
        return priority

    async def _answer(self, ledger: Ledger, event: Event, outcome: FaqOutcome) -> list[Action]:
        ticket = await self._open(ledger, event, outcome, "resolved")
        await ledger.update_ticket(ticket.id, event.at, "bot_answer", BOT, outcome.entry, responded=True)
        entry = self.desk.kb.entry(outcome.entry or "")
        assert entry is not None
        text = self._render(
            "faq_answer",
            outcome.lang,
            member=member_name(event),
            answer=self.desk.kb.answer(entry, outcome.lang),
        )
        return [Reply(event.chat, event.message_id, text, "faq_answer", delete_after_s=None)]

    async def _suggest(self, ledger: Ledger, event: Event, outcome: FaqOutcome) -> list[Action]:
        ticket = await self._open(ledger, event, outcome, "suggested")
        buttons = []
        for index, entry_id in enumerate(outcome.suggestions):
            entry = self.desk.kb.entry(entry_id)
            if entry is not None:
                buttons.append(Button(_label(entry.questions[0]), f"faq:{ticket.id}:{index}"))
        buttons.append(Button(self._render("faq_none_button", outcome.lang), f"faq:{ticket.id}:none"))
        text = self._render("faq_suggest", outcome.lang, member=member_name(event))
        return [Reply(event.chat, event.message_id, text, "faq_suggest", None, tuple(buttons))]

    async def _escalate(self, ledger: Ledger, event: Event, outcome: FaqOutcome) -> list[Action]:
        ticket = await self._open(ledger, event, outcome, "new")
        return self._ticket_actions(event, ticket, outcome.triage.explain())

    def _ticket_actions(self, event: Event, ticket: TicketRecord, why: str) -> list[Action]:
        # The promise as the member lives it: with working hours, a Friday night's 8 h are Monday noon.
        hours = str(max(1, math.ceil((ticket.due_at - ticket.opened_at) / timedelta(hours=1))))
        ack = self._render(
            "ticket_ack", ticket.lang, member=member_name(event), ticket=str(ticket.id), hours=hours
        )
        who = member_line(ticket.member, event.author.name or None, event.author.username)
        where = event.extra.get("link") or ("private dialog" if event.chat_kind is ChatKind.PRIVATE else None)
        card = ticket_card(ticket, who, where, why)
        title = thread_title(ticket, event.author.name or event.author.username or ticket.member)
        return [
            Reply(event.chat, event.message_id, ack, "ticket_ack", delete_after_s=None),
            NotifyStaff(card, ticket.member, ticket.chat, ticket_id=ticket.id, thread_title=title),
        ]

    async def _follow_up(
        self, ledger: Ledger, ticket: TicketRecord, event: Event, outcome: FaqOutcome
    ) -> list[Action]:
        """The member writes again while their ticket is live: thanks after an answer resolve it; anything
        else joins it and reaches the moderators under the ticket's card."""
        if outcome.triage.kind is Kind.CHITCHAT:
            if ticket.state == "waiting_member" and outcome.triage.cues.get("chitchat"):
                await ledger.update_ticket(
                    ticket.id, event.at, "thanked", event.author.key, event.text, state="resolved"
                )
            return []
        said = [ticket.text, *(e.text for e in await ledger.ticket_events(ticket.id, ("follow_up",)))]
        state = "open" if ticket.state == "waiting_member" else None
        await ledger.update_ticket(
            ticket.id, event.at, "follow_up", event.author.key, event.text, state=state
        )
        if _gist(event.text) in {_gist(text) for text in said if text}:
            return []  # "АЛЛО!!! ГДЕ СВЯЗЬ" again: the log keeps it, the moderators have read it
        text = f"↩️ Ticket #{ticket.id}, follow-up from {ticket.member}: «{event.text}»"
        return [
            NotifyStaff(
                text,
                ticket.member,
                ticket.chat,
                ticket_id=None,
                reply_to_card=ticket.staff_message_id,
                thread=ticket.staff_topic_id,
            )
        ]

    async def on_pick(self, data: str, member: str, at: datetime) -> tuple[str, list[Action]]:
        """A press on a suggestion button (`faq:<ticket>:<index>|none`): the notice for the presser and what
        to do. Only the member who asked may choose."""
        try:
            _, ticket_ref, choice = data.split(":")
            ticket_id = int(ticket_ref)
        except ValueError:
            return "", []
        async with self.db.unit() as ledger:
            ticket = await ledger.ticket(ticket_id)
            if ticket is None or ticket.member != member:
                return "This question was asked by someone else.", []
            if ticket.state != "suggested":
                return "Already answered.", []
            if choice == "none":
                ticket = await ledger.update_ticket(ticket.id, at, "escalated", member, state="new")
                assert ticket is not None
                event = _ticket_event(ticket, at)
                return "Passed to the team.", self._ticket_actions(
                    event, ticket, "none of the suggestions fit"
                )
            entry_id = (
                ticket.suggestions[int(choice)]
                if choice.isdigit() and int(choice) < len(ticket.suggestions)
                else None
            )
            entry = self.desk.kb.entry(entry_id or "")
            if entry is None:
                return "This answer is no longer available.", []
            await ledger.update_ticket(
                ticket.id, at, "picked", member, entry.id, state="resolved", responded=True
            )
            await ledger.update_ticket(ticket.id, at, "kb_proposal", member, entry.id)
        text = self._render("faq_picked", ticket.lang, answer=self.desk.kb.answer(entry, ticket.lang))
        return "", [Reply(ticket.chat, ticket.message_id, text, "faq_picked", delete_after_s=None)]


def _ticket_event(ticket: TicketRecord, at: datetime) -> Event:
    """The ticket's original message as an event, for the acknowledgement and the card."""
    return Event(
        ticket.member.split(":")[0],
        ticket.chat,
        ChatKind.GROUP,
        ticket.message_id or "",
        Author(ticket.member),
        ticket.text,
        at,
    )


def _label(question: str) -> str:
    return question if len(question) <= _LABEL else question[: _LABEL - 1] + "…"


def _gist(text: str) -> str:
    """A message without case and punctuation: a member repeating themselves says the same."""
    return " ".join(_NOT_WORDS.sub(" ", text.casefold()).split())
