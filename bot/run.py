"""`modbot run`: the bot on every platform whose credentials are set, over one policy and one database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable
from datetime import UTC, datetime

from bot.routing import Router
from bot.scheduler import Scheduler
from bot.settings import Settings, SettingsError, load_settings
from handlers.actions import NotifyStaff
from handlers.escalation import Escalation, load_desk
from handlers.moderation import Moderation
from handlers.reports import weekly_digest
from handlers.sanctions import expire_due
from handlers.sla import sla_digest
from handlers.staff import Staff
from handlers.tickets import TicketCommands
from policies.compile import CompiledPolicy, load_policy
from policies.faq.decide import FaqDesk
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
    secrets = [
        s.get_secret_value()
        for s in (
            settings.telegram_bot_token,
            settings.webhook_secret,
            settings.vk_group_token,
            settings.vk_admin_token,
            settings.vk_callback_secret,
        )
        if s
    ]
    handler.addFilter(Redact(secrets))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


def run() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"modbot run: {exc}", file=sys.stderr)
        return 2
    if settings.telegram_bot_token is None and settings.vk_group_token is None:
        print(
            "modbot run: neither TELEGRAM_BOT_TOKEN nor VK_GROUP_TOKEN is set, so no platform can start "
            "(see .env.example; `modbot demo` runs without one)",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings)
    if settings.vk_group_token is not None:
        from bot.vk.checks import check_vk  # vkbottle loads only for a VK bot

        problem = asyncio.run(check_vk(settings))
        if problem is not None:
            print(f"modbot run: {problem}", file=sys.stderr)
            return 2
    try:
        policy = load_policy(settings.policy_file)
        desk = load_desk(policy)  # the knowledge base validates before anything starts
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    asyncio.run(serve(settings, policy, desk))
    return 0


async def serve(settings: Settings, policy: CompiledPolicy, desk: FaqDesk) -> None:
    # aiogram loads only once the settings, the policy and the knowledge base are known to be good: a
    # mistake there is reported in a second, not after the platform's library has loaded.
    from bot.telegram.app import TelegramBot

    db = await Database.open(settings.database_url)
    moderation = Moderation(policy, db)
    escalation = Escalation(db, policy, desk)
    staff = Staff(moderation, lambda: load_policy(settings.policy_file), TicketCommands(escalation))
    scheduler = Scheduler()
    telegram = (
        TelegramBot(settings, moderation, staff, scheduler, escalation)
        if settings.telegram_bot_token
        else None
    )
    vk = None
    if settings.vk_group_token is not None:
        from bot.vk.app import VkBot

        sink = None
        if telegram is not None:
            tg = telegram

            async def sink(card: NotifyStaff) -> None:
                await tg.executor.run([card])

        vk = VkBot(settings, moderation, staff, scheduler, escalation, staff_sink=sink)
    # Staff actions about another platform's members go to that platform's adapter.
    router = Router(staff=telegram.executor.run if telegram else vk.executor.run)  # type: ignore[union-attr]
    if telegram is not None:
        router.add("tg", telegram.executor.run)
        telegram.execute = router.run
    if vk is not None:
        router.add("vk", vk.executor.run)

    async def sweep() -> None:
        for sanction in await expire_due(db, datetime.now(UTC)):
            log.info("%s of %s in %s ended", sanction.kind, sanction.member, sanction.chat)
        if telegram is not None:
            await telegram.executor.tend_outbox()

    async def digests() -> None:
        now = datetime.now(UTC)
        await router.run(await sla_digest(db, escalation.policy.spec.tickets, now))
        if escalation.policy.spec.tickets.weekly_digest:
            await router.run(await weekly_digest(db, now))

    scheduler.every(SWEEP_S, sweep)
    scheduler.every(policy.spec.tickets.digest_every.total_seconds(), digests)
    scheduler.start()
    runners: list[Awaitable[None]] = []
    if telegram is not None:
        runners.append(
            telegram.serve_webhook() if settings.webhook_url else telegram.start_polling(handle_signals=False)
        )
    if vk is not None:
        runners.append(vk.start())
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    tasks = [asyncio.ensure_future(r) for r in runners]
    waiter = asyncio.ensure_future(stopping.wait())
    try:
        done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
        for task in done - {waiter}:
            task.result()  # a platform that crashed takes the process down, with its traceback
    finally:
        waiter.cancel()
        if vk is not None:
            await vk.stop()
        if telegram is not None and not settings.webhook_url:
            with contextlib.suppress(RuntimeError):  # polling had not started
                await telegram.dp.stop_polling()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        scheduler.shutdown()
        if telegram is not None:
            await telegram.stop()
        await db.close()
