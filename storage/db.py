"""Opening a database: engine, migrations, and units of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from storage.ledger import Ledger
from storage.migrate import upgrade_to_head


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str) -> Database:
        """Connects to any SQLAlchemy async URL and migrates the schema to the newest revision."""
        engine = _create_engine(make_url(url))
        try:
            async with engine.begin() as connection:
                await connection.run_sync(upgrade_to_head)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Ledger]:
        """One session, one transaction: committed if the block ends normally, rolled back if it raises."""
        async with self._sessions() as session, session.begin():
            yield Ledger(session)


def _create_engine(url: URL) -> AsyncEngine:
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url)
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        # Every new connection to :memory: would be a new, empty database.
        engine = create_async_engine(url, poolclass=StaticPool)
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
    _take_over_sqlite_transactions(engine, wal=not in_memory)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine, wal: bool) -> None:
    """SQLAlchemy's recipe for SQLite: the driver's own BEGIN handling breaks SAVEPOINT and DDL atomicity.

    The driver would only BEGIN before the first INSERT/UPDATE, so a unit starting with a savepoint or DDL
    would commit piecemeal. BEGIN IMMEDIATE takes the write lock up front: a unit that reads, then writes
    while another connection committed would otherwise fail at once with "database is locked" instead of
    waiting its turn.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # Readers no longer block the writer, which matters once a second process opens the file.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
