"""The hand-written migrations must build exactly the schema the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from storage import Database
from storage.migrate import alembic_config
from storage.models import Base


def schema_diffs(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(schema_diffs) == []


async def test_open_migrates_to_head(db: Database) -> None:
    async with db.engine.connect() as connection:
        revision = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    assert revision == "0004"


async def test_downgrade_to_base_and_upgrade_again(db: Database) -> None:
    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}

    async with db.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "base"))
        assert await connection.run_sync(tables) == set()
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
        assert await connection.run_sync(tables) == set(Base.metadata.tables)
        assert await connection.run_sync(schema_diffs) == []


async def test_opening_an_up_to_date_database_again_changes_nothing(url: str) -> None:
    await (await Database.open(url)).close()
    database = await Database.open(url)
    try:
        async with database.engine.connect() as connection:
            assert await connection.run_sync(schema_diffs) == []
    finally:
        await database.close()
