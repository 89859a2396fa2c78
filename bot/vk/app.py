"""The VK adapter: Bots Long Poll events in, `Event`s to the handlers, their `Action`s out as VK API calls.

Events are handled one at a time, in order, so a member's burst reaches the flood window and the ladder in
the order it was sent. A message's claim (its event_id), strike and audit entry commit together
(handlers/moderation), so an event delivered again after a restart is handled once.

Who is exempt: the community itself (its own messages in conversations are the bot's: Role.SELF; on the
wall and the board a manager may write as the community: Role.ADMIN), the community's managers and each
conversation's admins (Role.ADMIN). Another community's bot in a conversation is Role.BOT; another
community commenting on the wall is held to account like a member.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from vkbottle import VKAPIError

from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.vk.api import GROUP_RPS, USER_RPS, VkApi
from bot.vk.callback import CallbackServer
from bot.vk.conversations import Conversations
from bot.vk.convert import (
    CHAT_PEER_OFFSET,
    PLATFORM,
    board_key,
    comment_event,
    member_key,
    message_event,
    peer_key,
    wall_key,
)
from bot.vk.execute import StaffSink, VkExecutor, button_data
from bot.vk.guard import Guard
from bot.vk.longpoll import LongPoll
from bot.vk.managers import ChatAccess, Managers
from bot.vk.people import Names
from bot.vk.staff_desk import VkStaffDesk
from handlers.actions import Delete, NotifyStaff
from handlers.escalation import Escalation
from handlers.moderation import Moderation
from handlers.staff import Staff
from policies.events import ChatKind, Event, Role

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class VkBot:
    """`staff_sink` posts cards and reports into the staff chat (the Telegram one, from the wiring); without
    it the VK conversation VK_STAFF_PEER_ID is the staff chat, commands and buttons included. `clock` is
    the time of what VK does not date (button presses, comment edits)."""

    def __init__(
        self,
        settings: Settings,
        moderation: Moderation,
        staff: Staff,
        scheduler: Scheduler,
        escalation: Escalation | None = None,
        staff_sink: StaffSink | None = None,
        clock: Clock | None = None,
    ) -> None:
        token, group_id = settings.vk_group_token, settings.vk_group_id
        assert token is not None and group_id is not None
        self.group_id = group_id
        self.api = VkApi(token.get_secret_value(), settings.vk_api_base, GROUP_RPS)
        admin = settings.vk_admin_token
        self.admin_api = VkApi(admin.get_secret_value(), settings.vk_api_base, USER_RPS) if admin else None
        self.moderation = moderation
        self.escalation = escalation
        self.clock = clock or (lambda: datetime.now(UTC))
        self.managers = Managers(self.api, group_id)
        self.names = Names(self.api)
        self.guard = Guard(moderation.db)
        self.sink = staff_sink
        self.executor = VkExecutor(
            self.api, self.admin_api, group_id, self.guard, self._to_staff, self.report, scheduler.at
        )
        self.conversations = Conversations(
            self.api,
            group_id,
            moderation.db,
            self.managers,
            self.guard,
            self.executor,
            self._claim,
            self.report,
        )
        self.staff_peer = settings.vk_staff_peer_id  # never moderated, even when Telegram is the staff chat
        self.desk: VkStaffDesk | None = None
        if staff_sink is None:
            assert settings.vk_staff_peer_id is not None, "settings require it without Telegram"
            self.desk = VkStaffDesk(
                settings.vk_staff_peer_id, self.executor, staff, self.managers, moderation, self._claim
            )
        self.polling = LongPoll(self.api, group_id, settings.vk_longpoll_state, self._polling_failed)
        self._told: set[str] = set()
        secret = settings.vk_callback_secret
        self.callback = (
            CallbackServer(
                self.handle,
                group_id,
                settings.vk_confirmation_code,
                secret.get_secret_value() if secret else None,
                settings.vk_callback_host,
                settings.vk_callback_port,
            )
            if settings.vk_confirmation_code
            else None
        )
        self._handlers: dict[str, Callable[[dict[str, Any], str], Awaitable[None]]] = {
            "message_new": self.on_message,
            "message_edit": self.on_edit,
            "message_event": self.on_button,
            "wall_reply_new": partial(self.on_comment, wall=True, edited=False),
            "wall_reply_edit": partial(self.on_comment, wall=True, edited=True),
            "board_post_new": partial(self.on_comment, wall=False, edited=False),
            "board_post_edit": partial(self.on_comment, wall=False, edited=True),
        }
        self._poller: asyncio.Task[None] | None = None
        self._batch: asyncio.Future[None] | None = None
        self._stopping = False

    # --- events -------------------------------------------------------------------------------------

    async def handle(self, update: dict[str, Any]) -> None:
        """One long poll or Callback API event; one that fails is logged and skipped."""
        kind = update.get("type", "")
        handler = self._handlers.get(kind)
        if handler is None:
            return
        try:
            await handler(update["object"], update["event_id"])
        except Exception:
            log.exception("VK event %s (%s) skipped", update.get("event_id"), kind)

    async def on_message(self, obj: dict[str, Any], event_id: str) -> None:
        message = obj["message"]
        peer = message["peer_id"]
        if peer == self.staff_peer:
            if self.desk is not None:
                await self.desk.on_message(message, event_id)
        elif peer < CHAT_PEER_OFFSET:
            await self._private_message(message, event_id)
        elif message.get("action"):
            await self.conversations.on_service(message, event_id)
        else:
            await self._chat_message(message, event_id, edited=False)

    async def on_edit(self, message: dict[str, Any], event_id: str) -> None:
        peer = message["peer_id"]
        if peer >= CHAT_PEER_OFFSET and peer != self.staff_peer:
            await self._chat_message(message, event_id, edited=True)

    async def on_button(self, press: dict[str, Any], event_id: str) -> None:
        data = button_data(press.get("payload"))
        if self.desk is not None and press["peer_id"] == self.desk.peer:
            await self.desk.on_button(press, data, event_id, self.clock())
            return
        if not data.startswith("faq:") or self.escalation is None:
            await self.executor.answer(press, "")
            return
        at = self.clock()
        if not await self._claim(event_id, at):
            return
        notice, actions = await self.escalation.on_pick(data, member_key(press["user_id"]), at)
        await self.executor.run(actions)
        await self.executor.answer(press, notice)

    async def on_comment(self, comment: dict[str, Any], event_id: str, *, wall: bool, edited: bool) -> None:
        owner = comment.get("post_owner_id" if wall else "topic_owner_id", comment.get("owner_id"))
        if owner != -self.group_id:
            return
        surface = ChatKind.WALL_COMMENT if wall else ChatKind.BOARD_COMMENT
        author = comment["from_id"]
        exempt = author == -self.group_id or await self.managers.is_manager(author)
        role = Role.ADMIN if exempt else Role.MEMBER
        event = comment_event(
            comment,
            event_id,
            role,
            self.group_id,
            surface,
            at=self.clock() if edited else None,
            name=await self.names.of(author),
        )
        # Deleting wall comments takes VK_ADMIN_TOKEN, posting on the board too.
        can_act = not wall or self.admin_api is not None
        can_post = wall or self.admin_api is not None
        await self._moderate(replace(event, shadow=not can_act), edited, can_post)

    # --- conversations ------------------------------------------------------------------------------

    async def _chat_message(self, message: dict[str, Any], event_id: str, edited: bool) -> None:
        peer, author = message["peer_id"], message["from_id"]
        access = await self.managers.chat(peer)
        await self.conversations.seen(peer, access)
        role = await self._role(author, access)
        event = message_event(
            message,
            event_id,
            role,
            self.group_id,
            edited=edited,
            name=await self.names.of(author) if role is Role.MEMBER else "",
            newcomer=role is Role.MEMBER
            and await self.conversations.newcomers.within(
                peer_key(peer),
                member_key(author),
                datetime.fromtimestamp(message["date"], UTC),
                self._probation(),
            ),
        )
        # Where the community is no admin, VK sends only what is addressed to it; record, answer, no more.
        await self._moderate(replace(event, shadow=not access.admin), edited, can_post=True)

    async def _private_message(self, message: dict[str, Any], event_id: str) -> None:
        """A member writing to the community in private: from now on their tickets' replies come there, and
        what they ask is answered or becomes a ticket. Nobody else reads a dialog, so nothing is moderated."""
        if self.escalation is None or message["from_id"] != message["peer_id"]:
            return
        event = replace(
            message_event(message, event_id, Role.MEMBER, self.group_id), chat_kind=ChatKind.PRIVATE
        )
        if await self._claim(event_id, event.at):
            await self.executor.run(await self.escalation.on_private(event))

    async def _role(self, author: int, access: ChatAccess) -> Role:
        if author == -self.group_id:
            return Role.SELF  # only the bot writes as the community in a conversation
        if author < 0:
            return Role.BOT
        if author in access.admins or await self.managers.is_manager(author):
            return Role.ADMIN
        return Role.MEMBER

    def _probation(self) -> timedelta:
        return self.moderation.policy.spec.groups.probation

    # --- the handlers ------------------------------------------------------------------------------

    async def _moderate(self, event: Event, edited: bool, can_post: bool) -> None:
        if await self._muted(event):
            if await self._claim(event.update_id or "", event.at):
                log.info(
                    "%s is muted in %s: message %s deleted", event.author.key, event.chat, event.message_id
                )
                await self.executor.run([Delete(event.chat, event.message_id)])
            return
        outcome = await self.moderation.handle(event)
        if outcome.duplicate:
            log.info("VK event %s already handled", event.update_id)
            return
        actions = list(outcome.actions)
        verdict = outcome.verdict
        clean = verdict is not None and not verdict.violation and not verdict.hits
        if clean and self.escalation is not None and not edited and event.author.role is Role.MEMBER:
            actions += await self.escalation.on_clean(replace(event, shadow=not can_post))
        await self.executor.run(actions)

    async def _muted(self, event: Event) -> bool:
        member = event.author.key
        if event.author.role is not Role.MEMBER or member is None:
            return False
        return await self.guard.muted(event.chat, member, event.at)

    async def _claim(self, event_id: str, at: datetime) -> bool:
        """Staff commands, buttons and re-kicks run at most once, even when VK delivers an event again."""
        async with self.moderation.db.unit() as ledger:
            return await ledger.claim_update(PLATFORM, event_id, at)

    async def report(self, text: str) -> None:
        """A line for the moderators in the staff chat, kept in the audit log too."""
        async with self.moderation.db.unit() as ledger:
            await ledger.audit(self.clock(), "report", text)
        await self._to_staff(NotifyStaff(text, None, PLATFORM))

    async def _to_staff(self, card: NotifyStaff) -> None:
        if self.sink is not None:
            await self.sink(replace(card, text=f"[VK] {card.text}"))
        elif self.desk is not None:
            await self.desk.post(card)

    # --- running ------------------------------------------------------------------------------------

    async def _polling_failed(self, exc: Exception) -> None:
        what = f"VK error {exc.code}: {exc.error_msg}" if isinstance(exc, VKAPIError) else repr(exc)
        log.warning("VK long poll failed: %s; retrying", what)
        if what not in self._told:  # once per kind of failure, not at every retry
            self._told.add(what)
            await self.report(f"⚠️ VK long poll fails ({what}); the bot keeps retrying")

    async def start(self) -> None:
        """Takes events until stop(): from Bots Long Poll, or from VK's POSTs when VK_CONFIRMATION_CODE
        is set (Callback API)."""
        await self.conversations.remember(wall_key(self.group_id), "VK wall")
        await self.conversations.remember(board_key(self.group_id), "VK board")
        self._poller = asyncio.create_task(self.callback.serve() if self.callback else self._poll())
        try:
            await self._poller
        except asyncio.CancelledError:
            if not self._stopping:
                raise

    async def _poll(self) -> None:
        async for batch in self.polling.listen():
            # Shielded: stop() lets the batch in hand finish, so no claimed event is left half done.
            self._batch = asyncio.ensure_future(self._handle_batch(batch))
            await asyncio.shield(self._batch)

    async def _handle_batch(self, batch: dict[str, Any]) -> None:
        for update in batch.get("updates", []):
            await self.handle(update)
        # BotPolling saves the ts only when asked for the next batch, which a stop never does.
        await asyncio.to_thread(self.polling.save_server_ts, {"ts": batch["ts"]})

    async def stop(self) -> None:
        self._stopping = True
        self.polling.stop()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        if self._batch is not None and not self._batch.done():
            await asyncio.wait([self._batch], timeout=10)
        await self.api.close()
        if self.admin_api is not None:
            await self.admin_api.close()
