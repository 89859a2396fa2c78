"""Ledger: every read and write of moderation state, inside one session and its one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, or_, select

from storage.audit_book import AuditBook
from storage.models import Chat, Member, ProcessedUpdate, Strike
from storage.outbox_book import OutboxBook
from storage.recent_book import RecentBook
from storage.records import MemberRecord, StrikeRecord
from storage.sanction_book import SanctionBook
from storage.ticket_book import TicketBook


class Ledger(SanctionBook, AuditBook, TicketBook, RecentBook, OutboxBook):
    """Obtained from Database.unit(); it never commits itself, so a caller's writes land together or not.

    Sanctions, tickets, the audit log, recent messages, joins and the outbox live in their books; updates,
    members, chats and strikes are here.
    """

    async def claim_update(self, source: str, update_id: str, now: datetime) -> bool:
        """True the first time an update is seen; False for a redelivery, even one another process claimed."""
        return await self._insert_unless_present(
            insert(ProcessedUpdate).values(source=source, update_id=update_id, at=now)
        )

    async def upsert_member(
        self, key: str, now: datetime, display_name: str | None = None, username: str | None = None
    ) -> MemberRecord:
        platform, user_id = _split_key(key)
        member = await self._session.get(Member, key, with_for_update=True)
        if member is None:
            await self._insert_unless_present(
                insert(Member).values(
                    key=key, platform=platform, user_id=user_id, first_seen=now, last_seen=now
                )
            )
            member = await self._session.get_one(Member, key, with_for_update=True)
        member.last_seen = now
        # A platform does not always send names; an event without one must not erase what we knew.
        if display_name is not None:
            member.display_name = display_name
        if username is not None:
            member.username = username
        await self._session.flush()
        return member.record()

    async def start_private_chat(self, key: str, chat: str, now: datetime) -> bool:
        """The member started the bot in this private chat, so the bot may write to them there; True if
        it was not known before."""
        await self.upsert_member(key, now)
        member = await self._session.get_one(Member, key)
        known = member.private_chat == chat
        member.private_chat = chat
        await self._session.flush()
        return not known

    async def find_member(self, ref: str) -> MemberRecord | None:
        """By key ("tg:123") or "@username" in any case; a username held by several goes to the last seen."""
        if ref.startswith("@"):
            query = (
                select(Member)
                .where(func.lower(Member.username) == ref[1:].lower())
                .order_by(Member.last_seen.desc())
                .limit(1)
            )
            member = await self._session.scalar(query)
        else:
            member = await self._session.get(Member, ref)
        return None if member is None else member.record()

    async def upsert_chat(self, key: str, kind: str, title: str | None = None) -> None:
        platform, _ = _split_key(key)
        chat = await self._session.get(Chat, key, with_for_update=True)
        if chat is None:
            await self._insert_unless_present(insert(Chat).values(key=key, platform=platform, kind=kind))
            chat = await self._session.get_one(Chat, key, with_for_update=True)
        chat.kind = kind
        if title is not None:
            chat.title = title
        await self._session.flush()

    async def chats_of_kind(self, platform: str, kind: str) -> list[str]:
        """Keys of the platform's known chats of a kind: the groups a community-wide ban covers."""
        query = select(Chat.key).where(Chat.platform == platform, Chat.kind == kind).order_by(Chat.key)
        return list(await self._session.scalars(query))

    async def active_strikes(self, member: str, now: datetime) -> list[StrikeRecord]:
        """Not pardoned and not expired, oldest first."""
        return await self._records(_active_strikes(member, now).order_by(Strike.at, Strike.id))

    async def strike_history(self, member: str) -> list[StrikeRecord]:
        """All of the member's strikes, pardoned and expired ones too, oldest first."""
        query = select(Strike).where(Strike.member == member)
        return await self._records(query.order_by(Strike.at, Strike.id))

    async def add_strike(
        self,
        member: str,
        chat: str,
        rule: str,
        weight: int,
        at: datetime,
        expires_at: datetime | None,
        policy_hash: str,
    ) -> StrikeRecord:
        strike = Strike(
            member=member,
            chat=chat,
            rule=rule,
            weight=weight,
            at=at,
            last_at=at,
            violations=1,
            expires_at=expires_at,
            policy_hash=policy_hash,
        )
        self._session.add(strike)
        await self._session.flush()
        return strike.record()

    async def extend_incident(self, strike_id: int, at: datetime) -> StrikeRecord:
        """A repeat collapsed into an existing strike; an unknown id is the caller's bug and raises."""
        strike = await self._session.get_one(Strike, strike_id, with_for_update=True)
        strike.violations += 1
        strike.last_at = at
        await self._session.flush()
        return strike.record()

    async def pardon_strike(
        self, member: str, by: str, reason: str, now: datetime, strike_id: int | None = None
    ) -> StrikeRecord | None:
        """Pardons the member's given strike, or else their latest active one; None if there is none."""
        if strike_id is None:
            query = _active_strikes(member, now).order_by(Strike.at.desc(), Strike.id.desc()).limit(1)
        else:
            query = select(Strike).where(
                Strike.id == strike_id, Strike.member == member, Strike.pardoned_at.is_(None)
            )
        strike = await self._session.scalar(query.with_for_update())
        if strike is None:
            return None
        strike.pardoned_at = now
        strike.pardoned_by = by
        strike.pardon_reason = reason
        await self._session.flush()
        return strike.record()


def _active_strikes(member: str, now: datetime) -> Select[Any]:
    return select(Strike).where(
        Strike.member == member,
        Strike.pardoned_at.is_(None),
        or_(Strike.expires_at.is_(None), Strike.expires_at > now),
    )


def _split_key(key: str) -> tuple[str, str]:
    platform, colon, rest = key.partition(":")
    if not (platform and colon and rest):
        raise ValueError(f"key {key!r} is not of the form platform:id")
    return platform, rest
