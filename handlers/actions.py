"""What a handler asks an adapter to do: a small closed set of frozen values. Adapters map each to their
platform's calls, or say that the platform cannot do it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Delete:
    chat: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # what a press sends back, e.g. "faq:12:0" (ticket 12, the first suggestion)


@dataclass(frozen=True, slots=True)
class Reply:
    chat: str
    reply_to: str | None
    text: str  # rendered from an admin-approved template
    template: str
    delete_after_s: int | None = 120  # warnings clean up after themselves
    buttons: tuple[Button, ...] = ()
    fallback: Reply | None = None  # sent instead when `chat` refuses (a member who blocked the bot)


@dataclass(frozen=True, slots=True)
class Restrict:
    chat: str
    member: str
    until: datetime


@dataclass(frozen=True, slots=True)
class Ban:
    chat: str
    member: str
    until: datetime | None  # None: forever


@dataclass(frozen=True, slots=True)
class Unban:
    chat: str
    member: str


@dataclass(frozen=True, slots=True)
class Unmute:
    chat: str
    member: str


@dataclass(frozen=True, slots=True)
class NotifyStaff:
    """A card in the staff chat; with a strike it carries the Undo / Pardon / Ban forever buttons."""

    text: str
    member: str | None
    chat: str
    sanction_id: int | None = None
    strike_id: int | None = None
    pending: bool = False  # the step waits for a moderator's confirmation
    ticket_id: int | None = None  # a ticket's card: its buttons, and its message id is kept on the ticket
    reply_to_card: str | None = None  # a follow-up goes under the ticket's card
    # Where the staff chat has threads (a Telegram forum), a ticket's card opens one of this title...
    thread_title: str | None = None
    thread: str | None = None  # ...and its follow-ups go into that thread


@dataclass(frozen=True, slots=True)
class CloseStaffThread:
    """A ticket is over: its thread in the staff chat is closed (a staff chat without threads has none)."""

    thread: str


Action = Delete | Reply | Restrict | Ban | Unban | Unmute | NotifyStaff | CloseStaffThread
ToStaff = NotifyStaff | CloseStaffThread  # what the adapter holding the staff chat carries out
