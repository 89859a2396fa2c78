"""The schema. migrations/versions must produce exactly this (tests/storage compares them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.columns import UTCDateTime
from storage.records import (
    AuditRecord,
    MemberRecord,
    SanctionRecord,
    StrikeRecord,
    TicketEventRecord,
    TicketRecord,
)

KEY = String(128)  # "tg:12345", "vk:wall:-123456": platform-prefixed ids
NAME = String(256)

# Named constraints, because SQLite batch migrations can only drop or alter constraints that have names.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Member(Base):
    __tablename__ = "members"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(KEY)
    display_name: Mapped[str | None] = mapped_column(NAME)
    # Looked up case-insensitively with lower(), which a plain index would not serve; staff look-ups are rare.
    username: Mapped[str | None] = mapped_column(NAME)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    # The member's private chat with the bot, once they started it: relayed replies go there.
    private_chat: Mapped[str | None] = mapped_column(KEY, nullable=True)

    def record(self) -> MemberRecord:
        return MemberRecord(
            key=self.key,
            platform=self.platform,
            user_id=self.user_id,
            display_name=self.display_name,
            username=self.username,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            private_chat=self.private_chat,
        )


class Chat(Base):
    __tablename__ = "chats"

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(NAME)


# Strikes, sanctions and audit entries name members and chats by key without a foreign key: the audit log
# must accept any key (e.g. a staff action on a member never seen), and callers need not upsert first.
class Strike(Base):
    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_member", "member", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member: Mapped[str] = mapped_column(KEY)
    chat: Mapped[str] = mapped_column(KEY)
    rule: Mapped[str] = mapped_column(String(64))
    weight: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    violations: Mapped[int]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pardoned_by: Mapped[str | None] = mapped_column(KEY)
    pardon_reason: Mapped[str | None] = mapped_column(Text)
    policy_hash: Mapped[str] = mapped_column(String(64))

    def record(self) -> StrikeRecord:
        return StrikeRecord(
            id=self.id,
            member=self.member,
            chat=self.chat,
            rule=self.rule,
            weight=self.weight,
            at=self.at,
            last_at=self.last_at,
            violations=self.violations,
            expires_at=self.expires_at,
            pardoned_at=self.pardoned_at,
            pardoned_by=self.pardoned_by,
            pardon_reason=self.pardon_reason,
            policy_hash=self.policy_hash,
        )


class Sanction(Base):
    __tablename__ = "sanctions"
    __table_args__ = (
        Index("ix_sanctions_member", "member", "at"),
        Index("ix_sanctions_status_until", "status", "until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member: Mapped[str] = mapped_column(KEY)
    chat: Mapped[str] = mapped_column(KEY)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    strike_id: Mapped[int | None] = mapped_column(ForeignKey("strikes.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(KEY)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)

    def record(self) -> SanctionRecord:
        return SanctionRecord(
            id=self.id,
            member=self.member,
            chat=self.chat,
            kind=self.kind,
            at=self.at,
            until=self.until,
            status=self.status,
            strike_id=self.strike_id,
            decided_by=self.decided_by,
            decided_at=self.decided_at,
            reason=self.reason,
        )


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_member", "member", "at"),
        Index("ix_audit_log_kind", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    member: Mapped[str | None] = mapped_column(KEY)
    chat: Mapped[str | None] = mapped_column(KEY)
    rule: Mapped[str | None] = mapped_column(String(64))
    explanation: Mapped[str] = mapped_column(Text)
    policy_hash: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(KEY)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    def record(self) -> AuditRecord:
        return AuditRecord(
            id=self.id,
            at=self.at,
            kind=self.kind,
            member=self.member,
            chat=self.chat,
            rule=self.rule,
            explanation=self.explanation,
            policy_hash=self.policy_hash,
            actor=self.actor,
            data=dict(self.data),
        )


class ProcessedUpdate(Base):
    """One row per platform update already handled; the primary key is what refuses a second delivery."""

    __tablename__ = "processed_updates"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ticket(Base):
    """A member's question or problem, from the bot's answer or the moderators' first reply to its close.
    Questions the bot answered itself are tickets too (resolved at once), so response metrics see them."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_state_due", "state", "due_at"),
        Index("ix_tickets_member", "member", "opened_at"),
        Index("ix_tickets_opened", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member: Mapped[str] = mapped_column(KEY)
    chat: Mapped[str] = mapped_column(KEY)
    message_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int]
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responder: Mapped[str | None] = mapped_column(KEY)
    assignee: Mapped[str | None] = mapped_column(KEY)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_message_id: Mapped[str | None] = mapped_column(String(64))
    staff_topic_id: Mapped[str | None] = mapped_column(String(64))  # its own thread of the staff chat
    suggestions: Mapped[list[str]] = mapped_column(JSON)

    def record(self) -> TicketRecord:
        return TicketRecord(
            id=self.id,
            member=self.member,
            chat=self.chat,
            message_id=self.message_id,
            kind=self.kind,
            priority=self.priority,
            lang=self.lang,
            text=self.text,
            state=self.state,
            opened_at=self.opened_at,
            due_at=self.due_at,
            first_response_at=self.first_response_at,
            responder=self.responder,
            assignee=self.assignee,
            snoozed_until=self.snoozed_until,
            staff_message_id=self.staff_message_id,
            staff_topic_id=self.staff_topic_id,
            suggestions=list(self.suggestions),
        )


class TicketEvent(Base):
    """The append-only history of a ticket: every message, reply, state change, reminder."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "at"), Index("ix_ticket_events_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(KEY)
    text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(String(16))

    def record(self) -> TicketEventRecord:
        return TicketEventRecord(
            id=self.id,
            ticket_id=self.ticket_id,
            at=self.at,
            kind=self.kind,
            actor=self.actor,
            text=self.text,
            state=self.state,
        )


class RecentMessage(Base):
    """A member's recent messages, the flood windows' memory: a restarted process (or another replica)
    sees the burst that began before it. Rows older than the window are pruned."""

    __tablename__ = "recent_messages"
    __table_args__ = (
        Index("ix_recent_messages_member", "member", "at"),
        Index("ix_recent_messages_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member: Mapped[str] = mapped_column(KEY)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text_key: Mapped[str] = mapped_column(Text)  # the text as flood compares it
    message: Mapped[str] = mapped_column(String(256))  # "chat/message id"


class Join(Base):
    """When a member last joined a chat: the probation of newcomers survives a restart."""

    __tablename__ = "joins"
    __table_args__ = (Index("ix_joins_at", "at"),)

    chat: Mapped[str] = mapped_column(KEY, primary_key=True)
    member: Mapped[str] = mapped_column(KEY, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxPost(Base):
    """A post on its way (an answer, an acknowledgement, a relayed reply, a staff card): kept until it is
    sent, so a post still waiting for its chat's message budget at shutdown goes out after the restart.
    The process that queued it holds a lease it renews; a post whose lease ran out (its process stopped or
    died) is adopted by the next process that looks, one replica only."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_lease", "platform", "leased_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str] = mapped_column(String(64))  # the process sending it
    leased_until: Mapped[datetime] = mapped_column(UTCDateTime)
