"""Runs the Alembic migrations in storage/migrations on a connection we already hold."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection) -> Config:
    config = Config()
    # Config values go through configparser, where "%" starts an interpolation.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: Connection) -> None:
    """Sync on purpose: called through AsyncConnection.run_sync, inside the caller's transaction."""
    command.upgrade(alembic_config(connection), "head")
