"""The Telegram adapter: aiogram updates in, `Event`s to the handlers, their `Action`s out as Bot API calls.

Updates are handled one at a time, in order, so a member's burst reaches the flood window and the ladder in
the order it was sent. Each message's claim, strike and audit entry commit together (handlers/moderation),
so a restart that sees an update again handles it once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.card_buttons import strike_press, ticket_press
from bot.commands import command_words
from bot.newcomers import Newcomers
from bot.outbox import Outbox
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.telegram.admins import AdminCache, missing_rights
from bot.telegram.convert import PLATFORM, chat_key, member_key, message_event
from bot.telegram.execute import Executor
from bot.telegram.throttle import Throttle
from handlers.actions import Delete
from handlers.escalation import Escalation
from handlers.moderation import Moderation
from handlers.staff import KEY, Command, Staff
from policies.events import ChatKind, Role

log = logging.getLogger(__name__)

GROUP_COMMANDS = frozenset({"warn", "ban"})  # a moderator's reply to a member's message in a group


class TelegramBot:
    def __init__(
        self,
        settings: Settings,
        moderation: Moderation,
        staff: Staff,
        scheduler: Scheduler,
        escalation: Escalation | None = None,
    ) -> None:
        assert settings.telegram_bot_token is not None and settings.staff_chat_id is not None
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
        self.throttle = Throttle()
        session.middleware(self.throttle)
        self.bot = Bot(settings.telegram_bot_token.get_secret_value(), session=session)
        self.settings = settings
        self.staff_chat_id = settings.staff_chat_id
        self.moderation = moderation
        self.staff = staff
        self.escalation = escalation
        self.scheduler = scheduler
        self.admins = AdminCache(self.bot)
        self.executor = Executor(
            self.bot,
            self.staff_chat_id,
            self.report,
            scheduler.at,
            self.throttle,
            self._card_posted,
            Outbox(moderation.db, PLATFORM),
        )
        # Staff actions may be for another platform's members; the wiring routes them (bot/routing.py).
        self.execute = self.executor.run
        self.known_chats: set[str] = set()
        self.newcomers = Newcomers(moderation.db)
        self.dp = Dispatcher()
        self.dp.message.register(self.on_message)
        self.dp.edited_message.register(self.on_edited)
        self.dp.callback_query.register(self.on_button)
        self.dp.my_chat_member.register(self.on_my_membership)
        self.dp.chat_member.register(self.on_membership)
        self.dp.errors.register(self.on_error)

    # --- updates ------------------------------------------------------------------------------------

    async def on_message(self, message: Message, event_update: Update) -> None:
        if message.chat.id == self.staff_chat_id:
            await self._staff_message(message, event_update)
        elif message.chat.type == "private":
            await self._private_message(message, event_update)
        elif message.chat.type in ("group", "supergroup") and not await self._group_command(
            message, event_update
        ):
            await self._moderate(message, event_update, edited=False)

    async def on_edited(self, edited_message: Message, event_update: Update) -> None:
        if (
            edited_message.chat.type in ("group", "supergroup")
            and edited_message.chat.id != self.staff_chat_id
        ):
            await self._moderate(edited_message, event_update, edited=True)

    async def on_button(self, callback_query: CallbackQuery, event_update: Update) -> None:
        query = callback_query
        actor = member_key(query.from_user.id)
        if (query.data or "").startswith("faq:"):
            await self._suggestion_picked(query, event_update)
            return
        if not await self._is_moderator(query.from_user.id):
            log.info("refused button %r from %s: not a moderator", query.data, actor)
            await query.answer("Only moderators can do this.", show_alert=True)
            return
        if not await self._claim(event_update):
            return
        data = query.data or ""
        ticket, strike = ticket_press(data), strike_press(data)
        if ticket is not None:
            reply = await self.staff.run(Command(*ticket, actor, datetime.now(UTC), PLATFORM))
        elif strike is not None:
            kind, member, ref = strike
            reply = await self.staff.button(kind, member, ref, actor, datetime.now(UTC))
        else:
            await query.answer("Unknown button.")
            return
        await self.execute(reply.actions)
        await self._close_card(query, reply.text, actor)

    async def _close_card(self, query: CallbackQuery, outcome: str, actor: str) -> None:
        """The card says who did what, and loses its buttons."""
        card = query.message
        if isinstance(card, Message) and card.text:
            who = f"@{query.from_user.username}" if query.from_user.username else actor
            await self._safely(
                card.edit_text(f"{card.text}\n{outcome.replace(actor, who)}", reply_markup=None)
            )
        await query.answer(outcome[:190])

    async def _suggestion_picked(self, query: CallbackQuery, update: Update) -> None:
        """A member's press on one of the suggested answers, or on "none of these"."""
        if self.escalation is None or not await self._claim(update):
            await query.answer()
            return
        notice, actions = await self.escalation.on_pick(
            query.data or "", member_key(query.from_user.id), datetime.now(UTC)
        )
        await self.executor.run(actions)
        message = query.message
        if actions and isinstance(message, Message):
            await self._safely(message.edit_reply_markup(reply_markup=None))
        await query.answer(notice[:190] or None)

    async def on_my_membership(self, my_chat_member: ChatMemberUpdated) -> None:
        update = my_chat_member
        self.admins.forget(update.chat.id)
        if update.chat.id == self.staff_chat_id or update.chat.type not in ("group", "supergroup"):
            return
        status = update.new_chat_member.status
        title = f"{update.chat.title} ({update.chat.id})"
        if status in ("left", "kicked"):
            await self.report(f"ℹ️ the bot was removed from {title}")
            return
        # Known from the moment it is added, so a moderator's /mute reaches it before its first message.
        await self._remember_chat(chat_key(update.chat.id), update.chat.title)
        missing = missing_rights(update.new_chat_member)
        if missing:
            await self.report(
                f"⚠️ the bot is in {title} without the rights to {', '.join(missing)}: "
                "shadow mode there (violations are recorded, nothing is done) until they are granted"
            )
        else:
            await self.report(f"✅ the bot moderates {title}")

    async def on_membership(self, chat_member: ChatMemberUpdated) -> None:
        update = chat_member
        self.admins.forget(update.chat.id)
        if update.old_chat_member.status in ("left", "kicked") and update.new_chat_member.status == "member":
            await self.newcomers.joined(
                chat_key(update.chat.id), member_key(update.new_chat_member.user.id), update.date
            )

    async def on_error(self, event: object, exception: Exception) -> bool:
        """One bad update is logged and skipped; polling goes on."""
        log.exception("update skipped: %s", exception, exc_info=exception)
        return True

    # --- moderation ---------------------------------------------------------------------------------

    async def _moderate(self, message: Message, update: Update, edited: bool) -> None:
        groups = self.moderation.policy.spec.groups
        if message.new_chat_members or message.left_chat_member:
            for user in message.new_chat_members or ():
                await self.newcomers.joined(chat_key(message.chat.id), member_key(user.id), message.date)
            if groups.delete_service_messages and not await self.admins.missing_rights(message.chat.id):
                await self.executor.run([Delete(chat_key(message.chat.id), str(message.message_id))])
            return
        role = await self._role(message)
        newcomer = bool(
            message.from_user
            and await self.newcomers.within(
                chat_key(message.chat.id), member_key(message.from_user.id), message.date, groups.probation
            )
        )
        event = message_event(
            message, update.update_id, role, ChatKind.GROUP, edited=edited, newcomer=newcomer
        )
        if await self.admins.missing_rights(message.chat.id):
            event = replace(event, shadow=True)
        await self._remember_chat(event.chat, message.chat.title)
        outcome = await self.moderation.handle(event)
        if outcome.duplicate:
            log.info("update %s already handled", update.update_id)
            return
        actions = list(outcome.actions)
        clean = outcome.verdict is not None and not outcome.verdict.violation and not outcome.verdict.hits
        if clean and self.escalation is not None and not edited and role is Role.MEMBER:
            actions += await self.escalation.on_clean(replace(event, extra={"link": _message_link(message)}))
        await self.executor.run(actions)

    async def _private_message(self, message: Message, update: Update) -> None:
        """A member starting the bot or writing to it in private: the welcome, and what they ask answered or
        turned into a ticket. Nobody else reads a private chat, so nothing is moderated."""
        if self.escalation is None or message.from_user is None or message.from_user.is_bot:
            return
        if not await self._claim(update):
            return
        event = message_event(message, update.update_id, Role.MEMBER, ChatKind.PRIVATE, edited=False)
        await self.executor.run(await self.escalation.on_private(event, message.from_user.language_code))

    async def _role(self, message: Message) -> Role:
        user = message.from_user
        if message.sender_chat is not None:
            linked = message.sender_chat.id == message.chat.id or bool(message.is_automatic_forward)
            return Role.ADMIN if linked else Role.MEMBER
        if user is None:
            return Role.MEMBER
        if user.id == self.bot.id:
            return Role.SELF
        if await self.admins.is_admin(message.chat.id, user.id):
            return Role.ADMIN
        if await self._is_moderator(user.id):
            return Role.MODERATOR
        return Role.BOT if user.is_bot else Role.MEMBER

    async def _remember_chat(self, key: str, title: str | None) -> None:
        if key in self.known_chats:
            return
        async with self.moderation.db.unit() as ledger:
            await ledger.upsert_chat(key, ChatKind.GROUP.value, title)
        self.known_chats.add(key)

    # --- staff --------------------------------------------------------------------------------------

    async def _is_moderator(self, user_id: int) -> bool:
        if member_key(user_id) in self.moderation.policy.spec.moderators:
            return True
        return await self.admins.is_admin(self.staff_chat_id, user_id)

    async def _staff_message(self, message: Message, update: Update) -> None:
        parsed = command_words(message.text)
        if message.from_user is None:
            return
        if parsed is None:
            await self._staff_answer(message, update)
            return
        name, args = parsed
        actor = member_key(message.from_user.id)
        if not await self._is_moderator(message.from_user.id):
            log.info("refused /%s from %s: not a moderator", name, actor)
            return
        if not await self._claim(update):
            return
        target = None
        replied = message.reply_to_message
        if replied is not None and replied.text:
            found = KEY.search(replied.text)
            target = found.group() if found else None
        ticket = await self._ticket_of(message)
        # The message's own time, as for members' messages and on VK: after downtime, when it was said.
        command = Command(name, args, actor, message.date, PLATFORM, target, ticket=ticket)
        reply = await self.staff.run(command)
        await self.execute(reply.actions)
        await self._safely(message.reply(reply.text))

    async def _staff_answer(self, message: Message, update: Update) -> None:
        """A moderator's plain reply to a ticket's card, or plain message in its forum topic, is the answer
        to relay to the member."""
        tickets = self.staff.tickets
        user = message.from_user
        if tickets is None or user is None or not message.text:
            return
        ticket = await self._ticket_of(message)
        if ticket is None or not await self._is_moderator(user.id) or not await self._claim(update):
            return
        reply = await tickets.relay(ticket, message.text, member_key(user.id), message.date)
        await self.execute(reply.actions)
        await self._safely(message.reply(reply.text))

    async def _ticket_of(self, message: Message) -> int | None:
        """The ticket a staff message is about: its forum topic's, else the card's it replies to. In a
        topic, a message that replies to nothing replies to the topic's first (service) message."""
        replied = message.reply_to_message
        if replied is None and not message.is_topic_message:
            return None  # about no card: no need to wait for the cards on their way
        await self.executor.ticket_cards_settled()
        async with self.moderation.db.unit() as ledger:
            ticket = None
            if message.is_topic_message and message.message_thread_id is not None:
                ticket = await ledger.ticket_by_topic(str(message.message_thread_id))
            if ticket is None and replied is not None:
                ticket = await ledger.ticket_by_card(str(replied.message_id))
        return ticket.id if ticket else None

    async def _card_posted(self, ticket_id: int, message_id: str, topic_id: str | None) -> None:
        async with self.moderation.db.unit() as ledger:
            await ledger.update_ticket(
                ticket_id,
                datetime.now(UTC),
                "card",
                None,
                staff_message_id=message_id,
                staff_topic_id=topic_id,
            )

    async def _group_command(self, message: Message, update: Update) -> bool:
        """`/warn` or `/ban 7d` replied by a moderator to a member's message: act, remove the command."""
        parsed = command_words(message.text)
        replied = message.reply_to_message
        user = message.from_user
        if parsed is None or parsed[0] not in GROUP_COMMANDS or replied is None or user is None:
            return False
        name, args = parsed
        if not await self._is_moderator(user.id) and not await self.admins.is_admin(message.chat.id, user.id):
            log.info("refused /%s in %s from %s: not a moderator", name, message.chat.id, user.id)
            return False
        target = (
            replied.sender_chat.id
            if replied.sender_chat
            else replied.from_user.id
            if replied.from_user
            else 0
        )
        if not target or not await self._claim(update):
            return True
        chat = chat_key(message.chat.id)
        await self._remember_chat(chat, message.chat.title)
        command = Command(
            name,
            args,
            member_key(user.id),
            message.date,
            PLATFORM,
            member_key(target),
            (chat, str(replied.message_id)),
        )
        reply = await self.staff.run(command)
        await self.execute(reply.actions)
        await self._safely(message.delete())
        await self.report(f"{reply.text} (in {message.chat.title or chat})")
        return True

    # --- plumbing -----------------------------------------------------------------------------------

    async def _claim(self, update: Update) -> bool:
        """Staff commands and buttons run at most once, even when an update comes again after a restart."""
        async with self.moderation.db.unit() as ledger:
            return await ledger.claim_update(PLATFORM, str(update.update_id), datetime.now(UTC))

    async def report(self, text: str) -> None:
        """A line for the moderators in the staff chat, kept in the audit log too."""
        async with self.moderation.db.unit() as ledger:
            await ledger.audit(datetime.now(UTC), "report", text)
        await self._safely(self.bot.send_message(self.staff_chat_id, text))

    async def _safely(self, call: object) -> None:
        try:
            await call  # type: ignore[misc]
        except TelegramAPIError as exc:
            log.warning("Bot API call failed: %s", exc.message)

    # --- running ------------------------------------------------------------------------------------

    async def start_polling(self, handle_signals: bool = True) -> None:
        await self.executor.tend_outbox()
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.dp.start_polling(
            self.bot,
            handle_as_tasks=False,
            allowed_updates=self.dp.resolve_used_update_types(),
            handle_signals=handle_signals,
            close_bot_session=False,
        )

    async def serve_webhook(self) -> None:
        """Updates POSTed by Telegram to WEBHOOK_URL; a request without the secret header gets 401."""
        url = self.settings.webhook_url
        secret = self.settings.webhook_secret
        assert url is not None and secret is not None
        await self.executor.tend_outbox()
        app = web.Application()
        SimpleRequestHandler(self.dp, self.bot, secret_token=secret.get_secret_value()).register(
            app, path=urlsplit(url).path or "/"
        )
        setup_application(app, self.dp, bot=self.bot)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, self.settings.webhook_host, self.settings.webhook_port).start()
        await self.bot.set_webhook(
            url, secret_token=secret.get_secret_value(), allowed_updates=self.dp.resolve_used_update_types()
        )
        log.info("webhook mode: listening on %s:%s", self.settings.webhook_host, self.settings.webhook_port)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def stop(self) -> None:
        await self.executor.drain()
        await self.bot.session.close()


def _message_link(message: Message) -> str | None:
    """t.me links to a message: public groups by username, private supergroups by their internal id."""
    if message.chat.username:
        return f"https://t.me/{message.chat.username}/{message.message_id}"
    if str(message.chat.id).startswith("-100"):
        return f"https://t.me/c/{str(message.chat.id)[4:]}/{message.message_id}"
    return None
