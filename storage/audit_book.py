"""The audit log: what the bot and the staff did and why, and counts for reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.book import Book
from storage.models import AuditEntry
from storage.records import AuditRecord


class AuditBook(Book):
    async def audit(
        self,
        at: datetime,
        kind: str,
        explanation: str,
        member: str | None = None,
        chat: str | None = None,
        rule: str | None = None,
        policy_hash: str | None = None,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        entry = AuditEntry(
            at=at,
            kind=kind,
            explanation=explanation,
            member=member,
            chat=chat,
            rule=rule,
            policy_hash=policy_hash,
            actor=actor,
            data=dict(data or {}),
        )
        self._session.add(entry)
        await self._session.flush()
        return entry.id

    async def audit_entries(
        self,
        member: str | None = None,
        since: datetime | None = None,
        kinds: tuple[str, ...] | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        """Newest first; `since` is inclusive."""
        query = select(AuditEntry)
        if member is not None:
            query = query.where(AuditEntry.member == member)
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if kinds is not None:
            query = query.where(AuditEntry.kind.in_(kinds))
        return await self._records(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))

    async def counts_by_rule(self, since: datetime, kind: str = "strike") -> dict[tuple[str, str], int]:
        """Entries of `kind` since then (inclusive) per (rule, chat); entries lacking either are left out."""
        query = (
            select(AuditEntry.rule, AuditEntry.chat, func.count())
            .where(
                AuditEntry.kind == kind,
                AuditEntry.at >= since,
                AuditEntry.rule.is_not(None),
                AuditEntry.chat.is_not(None),
            )
            .group_by(AuditEntry.rule, AuditEntry.chat)
        )
        return {(rule, chat): count for rule, chat, count in await self._session.execute(query)}
