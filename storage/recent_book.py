"""Short-lived memory that must still survive a restart: members' recent messages (flood windows) and
their joins (probation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.book import Book
from storage.models import Join, RecentMessage

Recent = tuple[datetime, str, str]  # (at, text as flood compares it, "chat/message id")


class RecentBook(Book):
    async def remember_message(self, member: str, at: datetime, text_key: str, message: str) -> None:
        self._session.add(RecentMessage(member=member, at=at, text_key=text_key, message=message))
        await self._session.flush()

    async def recent_messages(self, member: str, since: datetime) -> list[Recent]:
        rows = await self._session.execute(
            select(RecentMessage.at, RecentMessage.text_key, RecentMessage.message)
            .where(RecentMessage.member == member, RecentMessage.at >= since)
            .order_by(RecentMessage.at, RecentMessage.id)
        )
        return [(at, key, message) for at, key, message in rows]

    async def forget_messages_before(self, at: datetime) -> int:
        result = await self._session.execute(delete(RecentMessage).where(RecentMessage.at < at))
        return result.rowcount or 0  # type: ignore[attr-defined]

    async def record_join(self, chat: str, member: str, at: datetime) -> None:
        """The latest join counts: a member who left and came back starts a new probation."""
        await self._session.merge(Join(chat=chat, member=member, at=at))
        await self._session.flush()

    async def forget_joins_before(self, at: datetime) -> None:
        await self._session.execute(delete(Join).where(Join.at < at))

    async def joins_since(self, since: datetime) -> list[tuple[str, str, datetime]]:
        rows = await self._session.execute(
            select(Join.chat, Join.member, Join.at).where(Join.at >= since).order_by(Join.at)
        )
        return [(chat, member, at) for chat, member, at in rows]
