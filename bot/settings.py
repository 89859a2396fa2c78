"""Settings from the environment or `.env` (documented in `.env.example`). Secrets never get logged."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    policy_file: Path | None = Field(None, description="the policy YAML; the bundled example when unset")
    database_url: str = Field(
        "sqlite+aiosqlite:///data/modbot.sqlite3", description="any SQLAlchemy async URL"
    )
    log_level: str = "INFO"
