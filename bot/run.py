"""`modbot run`: the bot on every platform whose credentials are set, over one policy and one database."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

from bot.scheduler import Scheduler
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.app import TelegramBot
from handlers.escalation import Escalation, load_desk
from handlers.moderation import Moderation
from handlers.reports import weekly_digest
from handlers.sanctions import expire_due
from handlers.sla import sla_digest
from handlers.staff import Staff
from handlers.tickets import TicketCommands
from policies.compile import CompiledPolicy, load_policy
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
    try:
        load_desk(policy)
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    asyncio.run(serve(settings, policy))
    return 0


async def serve(settings: Settings, policy: CompiledPolicy) -> None:
    db = await Database.open(settings.database_url)
    moderation = Moderation(policy, db)
    escalation = Escalation(db, policy, load_desk(policy))
    staff = Staff(moderation, lambda: load_policy(settings.policy_file), TicketCommands(escalation))
    scheduler = Scheduler()
    telegram = TelegramBot(settings, moderation, staff, scheduler, escalation)

    async def sweep() -> None:
        for sanction in await expire_due(db, datetime.now(UTC)):
            log.info("%s of %s in %s ended", sanction.kind, sanction.member, sanction.chat)

    async def digests() -> None:
        now = datetime.now(UTC)
        await telegram.executor.run(await sla_digest(db, escalation.policy.spec.tickets, now))
        if escalation.policy.spec.tickets.weekly_digest:
            await telegram.executor.run(await weekly_digest(db, now))

    scheduler.every(SWEEP_S, sweep)
    scheduler.every(policy.spec.tickets.digest_every.total_seconds(), digests)
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
