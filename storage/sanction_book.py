"""Bans and mutes: their creation, staff decisions, and expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from storage.book import Book
from storage.models import Sanction
from storage.records import SANCTION_DECISIONS, SANCTION_KINDS, SANCTION_START_STATUSES, SanctionRecord


class SanctionBook(Book):
    async def add_sanction(
        self,
        member: str,
        chat: str,
        kind: str,
        at: datetime,
        until: datetime | None,
        strike_id: int | None,
        reason: str,
        status: str = "active",
    ) -> SanctionRecord:
        _check(kind, SANCTION_KINDS, "sanction kind")
        _check(status, SANCTION_START_STATUSES, "initial sanction status")
        sanction = Sanction(
            member=member,
            chat=chat,
            kind=kind,
            at=at,
            until=until,
            status=status,
            strike_id=strike_id,
            reason=reason,
        )
        self._session.add(sanction)
        await self._session.flush()
        return sanction.record()

    async def decide_sanction(
        self, sanction_id: int, status: str, by: str | None, now: datetime
    ) -> SanctionRecord | None:
        """Staff confirm or reject a pending sanction, or a sanction ends; None for an unknown id."""
        _check(status, SANCTION_DECISIONS, "sanction decision")
        sanction = await self._session.get(Sanction, sanction_id, with_for_update=True)
        if sanction is None:
            return None
        _decide(sanction, status, by, now)
        await self._session.flush()
        return sanction.record()

    async def lift_sanctions(
        self, member: str, by: str, now: datetime, chat: str | None = None
    ) -> list[SanctionRecord]:
        query = select(Sanction).where(Sanction.member == member, Sanction.status == "active")
        if chat is not None:
            query = query.where(Sanction.chat == chat)
        query = query.order_by(Sanction.at, Sanction.id).with_for_update()
        sanctions = (await self._session.scalars(query)).all()
        for sanction in sanctions:
            _decide(sanction, "lifted", by, now)
        await self._session.flush()
        return [sanction.record() for sanction in sanctions]

    async def active_sanctions(self, member: str, now: datetime) -> list[SanctionRecord]:
        """In force now; one past its end that the scheduler has not lifted yet no longer counts."""
        query = select(Sanction).where(
            Sanction.member == member,
            Sanction.status == "active",
            or_(Sanction.until.is_(None), Sanction.until > now),
        )
        return await self._records(query.order_by(Sanction.at, Sanction.id))

    async def member_sanctions(self, member: str) -> list[SanctionRecord]:
        query = select(Sanction).where(Sanction.member == member)
        return await self._records(query.order_by(Sanction.at, Sanction.id))

    async def due_sanctions(self, now: datetime) -> list[SanctionRecord]:
        """Active sanctions whose time is up, soonest first: the scheduler lifts them."""
        query = select(Sanction).where(
            Sanction.status == "active", Sanction.until.is_not(None), Sanction.until <= now
        )
        return await self._records(query.order_by(Sanction.until, Sanction.id))

    async def pending_sanctions(self) -> list[SanctionRecord]:
        query = select(Sanction).where(Sanction.status == "pending")
        return await self._records(query.order_by(Sanction.at, Sanction.id))


def _decide(sanction: Sanction, status: str, by: str | None, now: datetime) -> None:
    sanction.status = status
    sanction.decided_by = by
    sanction.decided_at = now


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {sorted(allowed)}")
