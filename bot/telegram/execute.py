"""Actions -> Bot API calls. A call that fails is logged, recorded in the audit log and reported to the
staff chat: an action is never dropped silently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ChatPermissions, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from bot.card_buttons import card_buttons
from bot.outbox import Outbox, Post
from bot.replies import RepliesTo
from bot.telegram.card_digest import CardDigest
from bot.telegram.convert import platform_id
from bot.telegram.throttle import Throttle
from handlers.actions import (
    Action,
    Ban,
    CloseStaffThread,
    Delete,
    NotifyStaff,
    Reply,
    Restrict,
    ToStaff,
    Unban,
    Unmute,
)

log = logging.getLogger(__name__)

NO_MESSAGES = ChatPermissions(
    can_send_messages=False,
    can_send_audios=False,
    can_send_documents=False,
    can_send_photos=False,
    can_send_videos=False,
    can_send_video_notes=False,
    can_send_voice_notes=False,
    can_send_polls=False,
    can_send_other_messages=False,
    can_add_web_page_previews=False,
)
# Telegram lifts a restriction only when every permission is granted again.
MESSAGES_AGAIN = ChatPermissions(**dict.fromkeys(ChatPermissions.model_fields, True))
# "Already done" answers: the goal of the action holds, nothing to report.
_ALREADY = ("message to delete not found", "user_not_participant", "participant_id_invalid")

Report = Callable[[str], Awaitable[None]]
Schedule = Callable[[datetime, Callable[[], Awaitable[None]]], None]
CardPosted = Callable[[int, str, str | None], Awaitable[None]]  # (ticket id, the card's message id, topic)
QUEUED_CARDS_MAX = 5  # cards waiting for the staff chat's budget before the rest are folded


def _already_done(exc: TelegramAPIError) -> bool:
    return any(text in exc.message.lower() for text in _ALREADY)


def card_keyboard(card: NotifyStaff) -> InlineKeyboardMarkup | None:
    rows = card_buttons(card)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row] for row in rows
        ]
    )


class Executor:
    """Deletions, bans and mutes run inline, in update order. Posts are paced by the Bot API's limits
    (20 a minute into one group), so they must not hold up the update loop: a warning into a group over its
    budget is skipped (a spam raid gets deleted silently; the staff card and the audit log still tell), and
    staff cards go out in the background."""

    def __init__(
        self,
        bot: Bot,
        staff_chat_id: int,
        report: Report,
        schedule: Schedule,
        throttle: Throttle,
        card_posted: CardPosted | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.bot = bot
        self.outbox = outbox
        self.card_posted = card_posted
        self.staff_chat_id = staff_chat_id
        self.report = report
        self.schedule = schedule
        self.throttle = throttle
        self._posting: set[asyncio.Task[None]] = set()
        self._ticket_cards: set[asyncio.Task[None]] = set()
        self._staff_cards: set[asyncio.Task[None]] = set()
        self._forum: bool | None = None  # is the staff chat a forum: asked once, on the first ticket card
        self.digest = CardDigest(lambda: throttle.has_room(staff_chat_id), self._post_digest)
        self.replies = RepliesTo()

    async def run(self, actions: Iterable[Action]) -> None:
        actions = list(actions)
        deleted = {(a.chat, a.message_id) for a in actions if isinstance(a, Delete)}
        await self._delete_all([a for a in actions if isinstance(a, Delete)])
        for action in actions:
            if isinstance(action, Delete):
                continue
            if isinstance(action, Reply) and self._over_budget(action):
                log.info("warning in %s skipped: the chat is over its message budget", action.chat)
            elif isinstance(action, NotifyStaff) and self._foldable(action):
                self._track(self.digest.add(action))
            elif isinstance(action, NotifyStaff | Reply):
                # Answers and cards wait for their chat's budget in the background, never lost or blocking.
                self._send_later(action, deleted, await self._keep(action))
            else:
                await self._attempt(action, deleted)

    async def tend_outbox(self) -> None:
        """At start and every sweep: renews this process's leases, and sends the posts that a stopped
        process (an earlier run, another replica) left in the outbox, in the order they were queued."""
        if self.outbox is None:
            return
        await self.outbox.renew()
        adopted = await self.outbox.adopt()
        for post_id, post in adopted:
            self._send_later(post, set(), post_id)
        if adopted:
            log.info("%d posts left by a stopped process go out now", len(adopted))

    async def _keep(self, post: Post) -> int | None:
        """A self-deleting warning is not worth sending late; every other post is kept until sent."""
        if self.outbox is None or (isinstance(post, Reply) and post.delete_after_s is not None):
            return None
        return await self.outbox.keep(post)

    def _send_later(self, post: Post, deleted: set[tuple[str, str]], post_id: int | None) -> None:
        task = self._track(asyncio.create_task(self._deliver(post, deleted, post_id)))
        if isinstance(post, NotifyStaff):
            kept = self._ticket_cards if post.ticket_id is not None else self._staff_cards
            kept.add(task)
            task.add_done_callback(kept.discard)

    async def _deliver(self, post: Post, deleted: set[tuple[str, str]], post_id: int | None) -> None:
        """Sent or failed (and reported), the post leaves the outbox; cancelled at shutdown, it stays."""
        await self._attempt(post, deleted)
        if post_id is not None and self.outbox is not None:
            await self.outbox.sent(post_id)

    def _track(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)
        return task

    def _foldable(self, card: NotifyStaff) -> bool:
        """A card goes into the raid digest once the staff chat's budget is spent or cards queue up; a
        step that waits for a moderator's decision keeps its buttons."""
        if card.pending:
            return False
        queued = len(self._staff_cards) + len(self._ticket_cards)
        return queued >= QUEUED_CARDS_MAX or not self.throttle.has_room(self.staff_chat_id)

    async def _post_digest(self, text: str) -> None:
        try:
            await self.bot.send_message(self.staff_chat_id, text)
        except TelegramAPIError as exc:
            log.warning("staff digest failed: %s", exc.message)

    def _over_budget(self, reply: Reply) -> bool:
        """A self-deleting warning is worth less than the chat's quiet during a raid."""
        return reply.delete_after_s is not None and not self.throttle.has_room(platform_id(reply.chat))

    async def ticket_cards_settled(self, timeout_s: float = 3.0) -> None:
        """Waits (briefly) for the ticket cards on their way to be posted and kept on their tickets: a
        moderator's reply to a card that was just sent must find its ticket, not race the card's record."""
        if self._ticket_cards:
            await asyncio.wait(set(self._ticket_cards), timeout=timeout_s)

    async def drain(self, timeout_s: float = 5.0) -> None:
        """At shutdown, gives the posts on their way a few seconds; the outbox keeps the rest."""
        if not self._posting:
            return
        _, late = await asyncio.wait(self._posting, timeout=timeout_s)
        for task in late:
            task.cancel()
        if late and self.outbox is not None:
            await asyncio.gather(*late, return_exceptions=True)  # cancelled before they give up the leases
            await self.outbox.release()
        if late:
            log.warning(
                "%d posts not sent at shutdown: answers, replies and cards go out at the next start, "
                "self-deleting warnings and digest lines are dropped (the audit log has their actions)",
                len(late),
            )

    async def _attempt(self, action: Action, deleted: set[tuple[str, str]]) -> None:
        try:
            await self._one(action, deleted)
        except TelegramAPIError as exc:
            if isinstance(action, Reply) and action.fallback is not None:
                log.info(
                    "%s refused a post (%s): sent to %s instead",
                    action.chat,
                    exc.message,
                    action.fallback.chat,
                )
                await self._attempt(action.fallback, deleted)
            elif not _already_done(exc):
                await self._failed(action, exc)

    async def _delete_all(self, deletes: list[Delete]) -> None:
        """One `deleteMessages` per chat for a flood burst, `deleteMessage` for a single message."""
        by_chat: dict[str, list[int]] = {}
        for d in deletes:
            by_chat.setdefault(d.chat, []).append(int(d.message_id))
        for chat, ids in by_chat.items():
            ids += [int(reply) for reply in self.replies.taken_along(chat, map(str, ids))]
            try:
                if len(ids) == 1:
                    await self.bot.delete_message(platform_id(chat), ids[0])
                else:
                    for start in range(0, len(ids), 100):
                        await self.bot.delete_messages(platform_id(chat), ids[start : start + 100])
            except TelegramAPIError as exc:
                if not _already_done(exc):
                    await self._failed(Delete(chat, ",".join(map(str, ids))), exc)

    async def _one(self, action: Action, deleted: set[tuple[str, str]]) -> None:
        bot = self.bot
        match action:
            case Reply(chat=chat, reply_to=reply_to, text=text, delete_after_s=after, buttons=buttons):
                reply = None
                if reply_to is not None and (chat, reply_to) not in deleted:
                    reply = ReplyParameters(message_id=int(reply_to), allow_sending_without_reply=True)
                markup = (
                    InlineKeyboardMarkup(
                        inline_keyboard=[
                            [InlineKeyboardButton(text=b.label, callback_data=b.data)] for b in buttons
                        ]
                    )
                    if buttons
                    else None
                )
                sent = await bot.send_message(
                    platform_id(chat), text, reply_parameters=reply, reply_markup=markup
                )
                if after:
                    self._delete_later(chat, sent.message_id, after)
                elif reply_to is not None:
                    self.replies.remember(chat, reply_to, str(sent.message_id))
            case Ban(chat=chat, member=member, until=until):
                await bot.ban_chat_member(platform_id(chat), platform_id(member), until_date=until)
            case Restrict(chat=chat, member=member, until=until):
                await bot.restrict_chat_member(
                    platform_id(chat),
                    platform_id(member),
                    NO_MESSAGES,
                    until_date=until,
                    use_independent_chat_permissions=True,
                )
            case Unban(chat=chat, member=member):
                await bot.unban_chat_member(platform_id(chat), platform_id(member), only_if_banned=True)
            case Unmute(chat=chat, member=member):
                await bot.restrict_chat_member(
                    platform_id(chat),
                    platform_id(member),
                    MESSAGES_AGAIN,
                    use_independent_chat_permissions=True,
                )
            case NotifyStaff():
                await self._post_card(action)
            case CloseStaffThread(thread=thread):
                await bot.close_forum_topic(self.staff_chat_id, int(thread))

    async def _post_card(self, action: NotifyStaff) -> None:
        thread = action.thread or await self._open_topic(action)
        under = action.reply_to_card
        card = await self.bot.send_message(
            self.staff_chat_id,
            action.text,
            message_thread_id=int(thread) if thread else None,
            reply_markup=card_keyboard(action),
            reply_parameters=ReplyParameters(message_id=int(under), allow_sending_without_reply=True)
            if under
            else None,
        )
        if action.ticket_id is not None and self.card_posted is not None:
            await self.card_posted(action.ticket_id, str(card.message_id), thread)

    async def _open_topic(self, card: NotifyStaff) -> str | None:
        """A ticket's card opens its own topic when the staff chat is a forum. A topic that cannot be
        created (the bot lacks the right to manage topics) leaves the card in the General topic."""
        if card.thread_title is None or not await self._staff_is_forum():
            return None
        try:
            topic = await self.bot.create_forum_topic(self.staff_chat_id, card.thread_title)
        except TelegramAPIError as exc:
            log.warning("ticket %s gets no forum topic: %s", card.ticket_id, exc.message)
            return None
        return str(topic.message_thread_id)

    async def _staff_is_forum(self) -> bool:
        """Known after the first answer: a staff chat made a forum (or no longer one) counts after a
        restart. Until getChat answers, cards go to the chat without topics."""
        if self._forum is None:
            try:
                chat = await self.bot.get_chat(self.staff_chat_id)
            except TelegramAPIError as exc:
                log.warning("could not tell whether the staff chat is a forum: %s", exc.message)
                return False
            self._forum = bool(chat.is_forum)
        return self._forum

    def _delete_later(self, chat: str, message_id: int, after_s: int) -> None:
        async def delete() -> None:
            try:
                await self.bot.delete_message(platform_id(chat), message_id)
            except TelegramBadRequest as exc:
                log.info("warning %s in %s already gone: %s", message_id, chat, exc.message)

        self.schedule(datetime.now(UTC) + timedelta(seconds=after_s), delete)

    async def _failed(self, action: Action, exc: TelegramAPIError) -> None:
        what = type(action).__name__.lower()
        where = getattr(action, "chat", "?")
        log.warning("%s in %s failed: %s", what, where, exc.message)
        if isinstance(action, ToStaff):
            return  # the staff chat itself is unreachable, or a topic stays open: the log is all there is
        await self.report(f"⚠️ could not {what} in {where}: {exc.message}")
