"""Moderators' ticket commands, platform-neutral: reply (relayed to the member after the tone guard),
answer from the knowledge base, close, dismiss, snooze, assign, and the list of open tickets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from handlers.actions import Action, CloseStaffThread, Reply
from handlers.cards import TIME_FORMAT
from handlers.escalation import Escalation, load_desk
from handlers.reports import report
from handlers.staff import Command, StaffReply, UsageError
from handlers.ticket_cards import ticket_line
from policies.compile import CompiledPolicy
from policies.durations import parse_duration
from policies.faq.decide import FaqDesk
from policies.faq.kb_edit import add_phrasing
from policies.faq.tone import tone_problem
from policies.yamlsource import PolicyError
from storage import Database, Ledger
from storage.records import TICKET_LIVE_STATES, MemberRecord, TicketRecord

HELP = """Tickets (N is the ticket number; reply to a ticket's card instead of giving N):
/tickets — open tickets, oldest first, with age and SLA left
/reply N <text> — answer the member (checked by the tone guard), or just reply to the card
/answer N <entry> — answer with a knowledge-base entry
/close N · /dismiss N — resolve, or drop as not needing an answer
/snooze N <2h|1d|ISO time> — put on hold until then
/assign N @moderator — who handles it
/kb suggestions — questions that members matched to entries; /kb accept N adds one as a phrasing"""

USAGE = {
    "reply": "/reply N <text>",
    "answer": "/answer N <entry-id>",
    "close": "/close N",
    "dismiss": "/dismiss N",
    "snooze": "/snooze N <2h|1d|2026-12-01T10:00>",
    "assign": "/assign N @moderator",
}
NAMES = frozenset({"tickets", "kb", *USAGE})


class TicketCommands:
    HELP = HELP

    def __init__(self, escalation: Escalation) -> None:
        self.escalation = escalation

    @staticmethod
    def handles(name: str) -> bool:
        return name in NAMES

    @staticmethod
    def prepare(policy: CompiledPolicy) -> FaqDesk:
        return load_desk(policy)

    @property
    def db(self) -> Database:
        return self.escalation.db

    async def run(self, command: Command) -> StaffReply:
        try:
            return await getattr(self, f"_{command.name}")(command)
        except UsageError as exc:
            return StaffReply(str(exc))

    async def relay(self, ticket_id: int, text: str, actor: str, at: datetime) -> StaffReply:
        """A moderator's plain reply to a ticket's card (or message in its thread), for its member."""
        try:
            return await self._send(ticket_id, text, actor, at)
        except UsageError as exc:  # the ticket is over: the moderator is told so
            return StaffReply(str(exc))

    async def stats(self, now: datetime) -> str:
        async with self.db.unit() as ledger:
            day = report(await ledger.tickets_since(now - timedelta(days=1))).total
            week = report(await ledger.tickets_since(now - timedelta(days=7))).total
        return f"Questions, 24 h: {day.line()}\nQuestions, 7 d: {week.line()}"

    async def _tickets(self, command: Command) -> StaffReply:
        async with self.db.unit() as ledger:
            live = await ledger.tickets(TICKET_LIVE_STATES - {"suggested"})
        if not live:
            return StaffReply("No open tickets.")
        return StaffReply(
            "\n".join(["Open tickets, oldest first:", *(ticket_line(t, command.at) for t in live)])
        )

    async def _reply(self, command: Command) -> StaffReply:
        ticket_id, rest = self._ticket_and_rest(command)
        if not rest:
            raise UsageError(f"usage: {USAGE['reply']}")
        return await self._send(ticket_id, " ".join(rest), command.actor, command.at)

    async def _send(self, ticket_id: int, text: str, actor: str, at: datetime) -> StaffReply:
        problem = tone_problem(self.escalation.policy, text)
        async with self.db.unit() as ledger:
            ticket = await self._live(ledger, ticket_id)
            if problem is not None:
                await ledger.update_ticket(ticket.id, at, "reply_blocked", actor, f"{problem} | {text}")
                return StaffReply(
                    f"⛔ Not sent to the member of #{ticket.id}: {problem}. Rephrase and send again."
                )
            await ledger.update_ticket(
                ticket.id, at, "reply", actor, text, state="waiting_member", responded=True
            )
            record = await ledger.find_member(ticket.member)
        relayed = self.escalation.policy.templates.render(
            "ticket_reply", ticket.lang, member=_addressed(record), reply=text
        )
        return StaffReply(
            f"✅ #{ticket.id}: sent to {ticket.member}{_privately(record)}",
            (_to_member(ticket, record, relayed),),
        )

    async def _answer(self, command: Command) -> StaffReply:
        ticket_id, rest = self._ticket_and_rest(command)
        desk = self.escalation.desk
        entry = desk.kb.entry(rest[0]) if rest else None
        if entry is None:
            known = ", ".join(e.id for e in desk.kb.entries[:10])
            raise UsageError(f"usage: {USAGE['answer']}; entries include {known}…")
        async with self.db.unit() as ledger:
            ticket = await self._live(ledger, ticket_id)
            await ledger.update_ticket(
                ticket.id, command.at, "kb_answer", command.actor, entry.id, state="resolved", responded=True
            )
            await ledger.update_ticket(ticket.id, command.at, "kb_proposal", command.actor, entry.id)
            record = await ledger.find_member(ticket.member)
        text = desk.kb.answer(entry, ticket.lang)
        return StaffReply(
            f"✅ #{ticket.id}: answered with {entry.id}{_privately(record)}",
            (_to_member(ticket, record, text),),
        )

    async def _close(self, command: Command) -> StaffReply:
        return await self._move(command, "closed", "closed")

    async def _dismiss(self, command: Command) -> StaffReply:
        return await self._move(command, "dismissed", "dismissed")

    async def _move(self, command: Command, state: str, verb: str) -> StaffReply:
        ticket_id, _ = self._ticket_and_rest(command)
        async with self.db.unit() as ledger:
            ticket = await self._live(ledger, ticket_id)
            await ledger.update_ticket(ticket.id, command.at, state, command.actor, state=state)
        thread = (CloseStaffThread(ticket.staff_topic_id),) if ticket.staff_topic_id else ()
        return StaffReply(f"#{ticket.id} {verb} by {command.actor}", thread)

    async def _snooze(self, command: Command) -> StaffReply:
        ticket_id, rest = self._ticket_and_rest(command)
        until = _until(rest[0] if rest else "", command.at)
        async with self.db.unit() as ledger:
            ticket = await self._live(ledger, ticket_id)
            await ledger.update_ticket(
                ticket.id, command.at, "snoozed", command.actor, state="on_hold", snoozed_until=until
            )
        return StaffReply(f"#{ticket.id} on hold until {until.strftime(TIME_FORMAT)}")

    async def _assign(self, command: Command) -> StaffReply:
        ticket_id, rest = self._ticket_and_rest(command)
        if not rest:
            raise UsageError(f"usage: {USAGE['assign']}")
        async with self.db.unit() as ledger:
            ticket = await self._live(ledger, ticket_id)
            state = "open" if ticket.state == "new" else None
            await ledger.update_ticket(
                ticket.id, command.at, "assigned", command.actor, rest[0], state=state, assignee=rest[0]
            )
        return StaffReply(f"#{ticket.id} assigned to {rest[0]}")

    async def _kb(self, command: Command) -> StaffReply:
        if command.args[:1] == ("suggestions",):
            return await self._kb_suggestions(command)
        if command.args[:1] == ("accept",) and len(command.args) == 2 and command.args[1].isdigit():
            return await self._kb_accept(command, int(command.args[1]))
        raise UsageError("usage: /kb suggestions · /kb accept N")

    async def _kb_suggestions(self, command: Command) -> StaffReply:
        async with self.db.unit() as ledger:
            proposals = await ledger.ticket_events(
                kinds=("kb_proposal",), since=command.at - timedelta(days=30)
            )
            lines = []
            for event in proposals[-20:]:
                ticket = await ledger.ticket(event.ticket_id)
                if ticket is not None:
                    lines.append(f"#{ticket.id} → {event.text}: «{ticket.text}»")
        if not lines:
            return StaffReply("No proposed phrasings in the last 30 days.")
        return StaffReply(
            "\n".join(["Members' questions matched to entries (/kb accept N adds one):", *lines])
        )

    async def _kb_accept(self, command: Command, ticket_id: int) -> StaffReply:
        """The ticket's question becomes a phrasing of the entry it was answered with, in the YAML file; the
        knowledge base reloads, or the file is put back when it no longer validates."""
        async with self.db.unit() as ledger:
            ticket = await ledger.ticket(ticket_id)
            proposal = await ledger.ticket_events(ticket_id, kinds=("kb_proposal",))
        if ticket is None or not proposal or proposal[-1].text is None:
            raise UsageError(f"ticket #{ticket_id} has no proposed phrasing; /kb suggestions lists them")
        entry = proposal[-1].text
        file = self.escalation.desk.kb.file
        before = file.read_text(encoding="utf-8")
        try:
            file.write_text(add_phrasing(before, entry, ticket.text), encoding="utf-8")
            self.escalation.use(self.escalation.policy, load_desk(self.escalation.policy))
        except (KeyError, PolicyError) as exc:
            file.write_text(before, encoding="utf-8")
            return StaffReply(f"❌ not added, the knowledge base stays as it was: {exc}")
        async with self.db.unit() as ledger:
            await ledger.update_ticket(ticket_id, command.at, "kb_accepted", command.actor, entry)
        return StaffReply(
            f"✅ «{ticket.text}» added to {entry} in {file.name}; the knowledge base is reloaded"
        )

    def _ticket_and_rest(self, command: Command) -> tuple[int, tuple[str, ...]]:
        """The ticket from a replied-to card, or the first argument."""
        if command.ticket is not None:
            return command.ticket, command.args
        if command.args and re.fullmatch(r"#?\d+", command.args[0]):
            return int(command.args[0].lstrip("#")), command.args[1:]
        raise UsageError(f"usage: {USAGE.get(command.name, '/tickets')}")

    async def _live(self, ledger: Ledger, ticket_id: int) -> TicketRecord:
        ticket = await ledger.ticket(ticket_id)
        if ticket is None:
            raise UsageError(f"no ticket #{ticket_id}")
        if ticket.state in ("closed", "dismissed"):
            raise UsageError(f"ticket #{ticket_id} is {ticket.state}")
        return ticket


def _to_member(ticket: TicketRecord, member: MemberRecord | None, text: str) -> Action:
    """Under the member's message in the group; in their private chat instead once they started the bot,
    with the group as the fallback should they have blocked it since. A question asked privately is
    answered under itself."""
    in_group = Reply(ticket.chat, ticket.message_id, text, "ticket_reply", delete_after_s=None)
    if member is None or member.private_chat in (None, ticket.chat):
        return in_group
    return Reply(member.private_chat, None, text, "ticket_reply", delete_after_s=None, fallback=in_group)


def _privately(member: MemberRecord | None) -> str:
    return " (privately)" if member is not None and member.private_chat else ""


def _addressed(member: MemberRecord | None) -> str:
    """How the bot addresses the member: @username, or the name, as in its other replies."""
    if member is not None and member.username:
        return "@" + member.username
    return (member.display_name if member else None) or ""


def _until(raw: str, now: datetime) -> datetime:
    try:
        return now + parse_duration(raw)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{raw!r} is neither a duration nor a time; usage: {USAGE['snooze']}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
