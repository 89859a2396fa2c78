"""Settings from the environment or `.env` (documented in `.env.example`). Secrets are `SecretStr`, so they
print as `**********` and never reach a log line."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFICIAL_BOT_API = "https://api.telegram.org"
OFFICIAL_VK_API = "https://api.vk.com/method/"
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    policy_file: Path | None = Field(None, description="the policy YAML; the bundled example when unset")
    database_url: str = Field(
        "sqlite+aiosqlite:///data/modbot.sqlite3", description="any SQLAlchemy async URL"
    )
    log_level: str = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = OFFICIAL_BOT_API
    staff_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)

    vk_group_token: SecretStr | None = None
    vk_group_id: int | None = Field(None, gt=0)
    vk_admin_token: SecretStr | None = None
    vk_api_base: str = OFFICIAL_VK_API
    vk_staff_peer_id: int | None = Field(None, gt=0)
    vk_longpoll_state: Path = Path("data/vk-longpoll.json")
    vk_confirmation_code: str | None = None
    vk_callback_secret: SecretStr | None = None
    vk_callback_host: str = "127.0.0.1"
    vk_callback_port: int = Field(8088, ge=1, le=65535)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and not _TOKEN.fullmatch(token.get_secret_value()):
            raise ValueError("not a bot token of the form 123456:ABC-def (from @BotFather)")
        return token

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/") if url else url

    @field_validator("vk_api_base")
    @classmethod
    def _vk_base(cls, url: str) -> str:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ValueError(f"{url!r} is not an http(s) URL")
        # vkbottle appends the method name to the base as it is: the slash must be there.
        return url.rstrip("/") + "/"

    @model_validator(mode="after")
    def _vk_complete(self) -> Settings:
        if self.vk_group_token is not None and self.vk_group_id is None:
            raise ValueError("VK_GROUP_ID: required with VK_GROUP_TOKEN (the community's numeric id)")
        if self.vk_group_token is not None and self.telegram_bot_token is None and not self.vk_staff_peer_id:
            raise ValueError(
                "VK_STAFF_PEER_ID: required with VK_GROUP_TOKEN when Telegram is not configured "
                "(the moderators' VK conversation, 2000000000 + its chat id)"
            )
        if self.vk_confirmation_code is not None and self.vk_callback_secret is None:
            raise ValueError(
                "VK_CALLBACK_SECRET: required with VK_CONFIRMATION_CODE, so forged events are refused"
            )
        return self

    @model_validator(mode="after")
    def _telegram_complete(self) -> Settings:
        if self.telegram_bot_token is not None and self.staff_chat_id is None:
            raise ValueError("STAFF_CHAT_ID: required with TELEGRAM_BOT_TOKEN (the moderators' chat id)")
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET: required with WEBHOOK_URL, so forged updates are refused")
        return self


class SettingsError(Exception):
    """One line that names the setting at fault."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{where}: {message}" if where else message) from None
