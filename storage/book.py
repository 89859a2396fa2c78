"""The base of the ledger's parts: one session, whose transaction belongs to the caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


class Book:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _records(self, query: Select[Any]) -> list[Any]:
        """Runs an ORM query and hands out records, so no ORM object leaves storage."""
        return [row.record() for row in await self._session.scalars(query)]

    async def _insert_unless_present(self, statement: Insert) -> bool:
        """Inserts a row unless its key exists, even when another transaction races us to it.

        The savepoint confines the duplicate-key error, so the caller's transaction goes on unharmed.
        """
        try:
            async with self._session.begin_nested():
                await self._session.execute(statement)
        except IntegrityError:
            return False
        return True
