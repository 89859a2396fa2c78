"""Tickets and their append-only event log: every change of a ticket is one event row beside the update."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from storage.book import Book
from storage.models import Ticket, TicketEvent
from storage.records import TICKET_LIVE_STATES, TICKET_STATES, TicketEventRecord, TicketRecord


class TicketBook(Book):
    async def open_ticket(
        self,
        *,
        member: str,
        chat: str,
        message_id: str | None,
        kind: str,
        priority: int,
        lang: str,
        text: str,
        at: datetime,
        due_at: datetime,
        state: str = "new",
        suggestions: list[str] | None = None,
    ) -> TicketRecord:
        _check_state(state)
        ticket = Ticket(
            member=member,
            chat=chat,
            message_id=message_id,
            kind=kind,
            priority=priority,
            lang=lang,
            text=text,
            state=state,
            opened_at=at,
            due_at=due_at,
            suggestions=list(suggestions or []),
        )
        self._session.add(ticket)
        await self._session.flush()
        self._session.add(
            TicketEvent(ticket_id=ticket.id, at=at, kind="opened", actor=member, text=text, state=state)
        )
        await self._session.flush()
        return ticket.record()

    async def ticket(self, ticket_id: int) -> TicketRecord | None:
        ticket = await self._session.get(Ticket, ticket_id)
        return None if ticket is None else ticket.record()

    async def ticket_by_card(self, staff_message_id: str) -> TicketRecord | None:
        return await self._first_ticket(Ticket.staff_message_id == staff_message_id)

    async def ticket_by_topic(self, staff_topic_id: str) -> TicketRecord | None:
        return await self._first_ticket(Ticket.staff_topic_id == staff_topic_id)

    async def _first_ticket(self, condition: ColumnElement[bool]) -> TicketRecord | None:
        ticket = await self._session.scalar(select(Ticket).where(condition).limit(1))
        return None if ticket is None else ticket.record()

    async def live_ticket(self, member: str, chat: str, since: datetime) -> TicketRecord | None:
        """The member's latest ticket in this chat that is still going, opened after `since`."""
        query = (
            select(Ticket)
            .where(
                Ticket.member == member,
                Ticket.chat == chat,
                Ticket.state.in_(TICKET_LIVE_STATES),
                Ticket.opened_at >= since,
            )
            .order_by(Ticket.opened_at.desc(), Ticket.id.desc())
            .limit(1)
        )
        ticket = await self._session.scalar(query)
        return None if ticket is None else ticket.record()

    async def latest_ticket(self, member: str, chat: str) -> TicketRecord | None:
        query = (
            select(Ticket)
            .where(Ticket.member == member, Ticket.chat == chat)
            .order_by(Ticket.opened_at.desc(), Ticket.id.desc())
            .limit(1)
        )
        ticket = await self._session.scalar(query)
        return None if ticket is None else ticket.record()

    async def tickets_of_member(self, member: str, since: datetime) -> int:
        query = select(func.count()).where(Ticket.member == member, Ticket.opened_at >= since)
        return int(await self._session.scalar(query) or 0)

    async def tickets(self, states: frozenset[str] | set[str], limit: int = 50) -> list[TicketRecord]:
        """Oldest first."""
        query = (
            select(Ticket).where(Ticket.state.in_(states)).order_by(Ticket.opened_at, Ticket.id).limit(limit)
        )
        return await self._records(query)

    async def tickets_since(self, since: datetime) -> list[TicketRecord]:
        return await self._records(select(Ticket).where(Ticket.opened_at >= since).order_by(Ticket.opened_at))

    async def update_ticket(
        self,
        ticket_id: int,
        at: datetime,
        kind: str,
        actor: str | None,
        text: str | None = None,
        *,
        state: str | None = None,
        responded: bool = False,
        assignee: str | None = None,
        snoozed_until: datetime | None = None,
        staff_message_id: str | None = None,
        staff_topic_id: str | None = None,
    ) -> TicketRecord | None:
        """One change and its event. `responded` marks the first response (by a moderator or the bot)."""
        ticket = await self._session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None:
            return None
        if state is not None:
            _check_state(state)
            ticket.state = state
        if responded and ticket.first_response_at is None:
            ticket.first_response_at = at
            ticket.responder = actor
        if assignee is not None:
            ticket.assignee = assignee
        if snoozed_until is not None or state not in (None, "on_hold"):
            ticket.snoozed_until = snoozed_until
        if staff_message_id is not None:
            ticket.staff_message_id = staff_message_id
        if staff_topic_id is not None:
            ticket.staff_topic_id = staff_topic_id
        self._session.add(
            TicketEvent(ticket_id=ticket_id, at=at, kind=kind, actor=actor, text=text, state=state)
        )
        await self._session.flush()
        return ticket.record()

    async def ticket_events(
        self,
        ticket_id: int | None = None,
        kinds: tuple[str, ...] | None = None,
        since: datetime | None = None,
    ) -> list[TicketEventRecord]:
        """Oldest first."""
        query = select(TicketEvent)
        if ticket_id is not None:
            query = query.where(TicketEvent.ticket_id == ticket_id)
        if kinds is not None:
            query = query.where(TicketEvent.kind.in_(kinds))
        if since is not None:
            query = query.where(TicketEvent.at >= since)
        return await self._records(query.order_by(TicketEvent.at, TicketEvent.id))


def _check_state(state: str) -> None:
    if state not in TICKET_STATES:
        raise ValueError(f"unknown ticket state {state!r}; known: {sorted(TICKET_STATES)}")
