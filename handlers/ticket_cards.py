"""How a ticket reads in the staff chat: the card, and a line in lists and digests."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.cards import TIME_FORMAT
from storage.records import TicketRecord

PRIORITY = {0: "low", 1: "normal", 2: "high", 3: "urgent"}
THREAD_TITLE_MAX = 128  # Telegram's limit on a forum topic's name
_MARK = {0: "▫️", 1: "🔹", 2: "🔸", 3: "🔴"}


def ticket_card(ticket: TicketRecord, member_line: str, link: str | None, why: str) -> str:
    lines = [
        f"{_MARK[ticket.priority]} Ticket #{ticket.id} · {ticket.kind} · "
        f"{PRIORITY[ticket.priority]} priority",
        f"From: {member_line}",
        f"Where: {ticket.chat}" + (f" · {link}" if link else ""),
        f"«{_short(ticket.text, 600)}»",
        f"Triage: {why}",
        f"Answer by {ticket.due_at.strftime(TIME_FORMAT)} (SLA)",
    ]
    if ticket.suggestions:
        lines.append(f"KB suggestions: {', '.join(ticket.suggestions)} (/answer {ticket.id} <entry>)")
    lines.append(f"Reply to this card, or /reply {ticket.id} <text>")
    return "\n".join(lines)


def thread_title(ticket: TicketRecord, who: str) -> str:
    """The name of the ticket's own thread in the staff chat: "#12 · Гоша · the first words of the text"."""
    return _short(f"#{ticket.id} · {who} · {ticket.text}", THREAD_TITLE_MAX)


def ticket_line(ticket: TicketRecord, now: datetime) -> str:
    age = _hours(now - ticket.opened_at)
    if ticket.first_response_at is not None:
        sla = "answered"
    elif ticket.due_at >= now:
        sla = f"{_hours(ticket.due_at - now)} left"
    else:
        sla = f"overdue {_hours(now - ticket.due_at)}"
    who = f" · {ticket.assignee}" if ticket.assignee else ""
    return (
        f"#{ticket.id} {_MARK[ticket.priority]} {ticket.state} · {age} old · {sla}{who} · "
        f"{ticket.member}: «{_short(ticket.text, 80)}»"
    )


def _hours(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _short(text: str, size: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"
