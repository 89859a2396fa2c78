"""The SLA watch: reminders before a ticket's due time, a breach alert after it, and snoozed tickets coming
back, gathered into one staff-chat message per run (a chat takes at most 20 messages a minute).

Each reminder is recorded as a ticket event before it is announced, so the schedule lives in the tickets
table: a restart resends nothing and forgets nothing."""

from __future__ import annotations

from datetime import datetime

from handlers.actions import Action, NotifyStaff
from handlers.ticket_cards import ticket_line
from policies.schema import Tickets
from storage import Database

STAFF = "staff"
WATCHED = frozenset({"new", "open", "on_hold"})


async def sla_digest(db: Database, settings: Tickets, now: datetime) -> list[Action]:
    lines = []
    offsets = sorted(settings.remind_before)  # nearest the due time first
    async with db.unit() as ledger:
        for ticket in await ledger.tickets(WATCHED, limit=10_000):
            if ticket.state == "on_hold":
                if ticket.snoozed_until is None or ticket.snoozed_until > now:
                    continue
                ticket = await ledger.update_ticket(ticket.id, now, "woke", None, state="open")  # type: ignore[assignment]
                lines.append(f"⏰ back from hold: {ticket_line(ticket, now)}")
            if ticket.first_response_at is not None:
                continue
            sent = {e.kind for e in await ledger.ticket_events(ticket.id)}
            if now >= ticket.due_at:
                if "breach" not in sent:
                    await ledger.update_ticket(ticket.id, now, "breach", None)
                    lines.append(f"🚨 SLA missed: {ticket_line(ticket, now)}")
                continue
            due = next((o for o in offsets if ticket.due_at - o <= now), None)
            if due is not None and f"reminder:{int(due.total_seconds())}" not in sent:
                await ledger.update_ticket(ticket.id, now, f"reminder:{int(due.total_seconds())}", None)
                lines.append(f"⏳ due soon: {ticket_line(ticket, now)}")
    if not lines:
        return []
    return [NotifyStaff("\n".join([f"SLA digest ({len(lines)}):", *lines]), None, STAFF)]
