"""What the storage API hands out: plain frozen values, so no ORM object (and no lazy load) escapes a unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SANCTION_KINDS = frozenset({"ban", "mute"})
# A sanction starts "active", or "pending" while it waits for staff confirmation; the rest are decisions.
SANCTION_START_STATUSES = frozenset({"active", "pending"})
SANCTION_DECISIONS = frozenset({"active", "lifted", "expired", "rejected"})


@dataclass(frozen=True, slots=True)
class MemberRecord:
    key: str
    platform: str
    user_id: str
    display_name: str | None
    username: str | None
    first_seen: datetime
    last_seen: datetime
    private_chat: str | None = None  # where the member started the bot


@dataclass(frozen=True, slots=True)
class StrikeRecord:
    id: int
    member: str
    chat: str
    rule: str
    weight: int
    at: datetime
    last_at: datetime
    violations: int
    expires_at: datetime | None
    pardoned_at: datetime | None
    pardoned_by: str | None
    pardon_reason: str | None
    policy_hash: str

    def active_at(self, now: datetime) -> bool:
        return self.pardoned_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class SanctionRecord:
    id: int
    member: str
    chat: str
    kind: str  # "ban" | "mute"
    at: datetime
    until: datetime | None  # None = forever
    status: str  # "active" | "pending" | "lifted" | "expired" | "rejected"
    strike_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    kind: str
    member: str | None
    chat: str | None
    rule: str | None
    explanation: str
    policy_hash: str | None
    actor: str | None
    data: dict[str, Any]


# suggested: the bot offered entries and waits for the member's pick; new: waiting for the team's first
# response; open: the team is on it; waiting_member: answered, the member may follow up; on_hold: snoozed
# until a time; resolved: answered for good; closed and dismissed end it.
TICKET_STATES = frozenset(
    {"new", "open", "waiting_member", "on_hold", "resolved", "closed", "dismissed", "suggested"}
)
TICKET_LIVE_STATES = frozenset({"new", "open", "waiting_member", "on_hold", "suggested"})


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: int
    member: str
    chat: str
    message_id: str | None
    kind: str
    priority: int
    lang: str
    text: str
    state: str
    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    responder: str | None
    assignee: str | None
    snoozed_until: datetime | None
    staff_message_id: str | None
    staff_topic_id: str | None  # where the staff chat is a forum: the ticket's topic
    suggestions: list[str]


@dataclass(frozen=True, slots=True)
class TicketEventRecord:
    id: int
    ticket_id: int
    at: datetime
    kind: str
    actor: str | None
    text: str | None
    state: str | None
