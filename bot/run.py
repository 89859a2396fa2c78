"""`modbot run`: the bot on every platform whose credentials are set, over one policy and one database."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

from bot.scheduler import Scheduler
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.app import TelegramBot
from handlers.moderation import Moderation
from handlers.sanctions import expire_due
from handlers.staff import Staff
from policies.compile import load_policy
from policies.yamlsource import PolicyError
from storage import Database

log = logging.getLogger("modbot")
SWEEP_S = 30


class Redact(logging.Filter):
    """Secrets never reach a log line, even inside a library's message (a URL with the token in it)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(secret in text for secret in self.secrets):
            for secret in self.secrets:
                text = text.replace(secret, "***")
            record.msg, record.args = text, None
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret) if s]
    handler.addFilter(Redact(secrets))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


def run() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"modbot run: {exc}", file=sys.stderr)
        return 2
    if settings.telegram_bot_token is None:
        print(
            "modbot run: TELEGRAM_BOT_TOKEN is not set, so no platform can start "
            "(see .env.example; `modbot demo` runs without one)",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings)
    try:
        policy = load_policy(settings.policy_file)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    asyncio.run(serve(settings, policy))
    return 0


async def serve(settings: Settings, policy: object) -> None:
    db = await Database.open(settings.database_url)
    moderation = Moderation(policy, db)  # type: ignore[arg-type]
    staff = Staff(moderation, lambda: load_policy(settings.policy_file))
    scheduler = Scheduler()
    telegram = TelegramBot(settings, moderation, staff, scheduler)

    async def sweep() -> None:
        for sanction in await expire_due(db, datetime.now(UTC)):
            log.info("%s of %s in %s ended", sanction.kind, sanction.member, sanction.chat)

    scheduler.every(SWEEP_S, sweep)
    scheduler.start()
    try:
        if settings.webhook_url:
            await telegram.serve_webhook()
        else:
            await telegram.start_polling()
    finally:
        scheduler.shutdown()
        await telegram.stop()
        await db.close()
