"""A VK conversation as the moderators' staff chat (VK_STAFF_PEER_ID), for communities without Telegram:
cards with callback buttons, every staff command, and replies to a ticket's card relayed to its member.

Moderators are the community's managers with moderating rights, the conversation's admins and the policy's
`moderators`; anyone else is ignored and logged, as in the Telegram staff chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.card_buttons import card_buttons, strike_press, ticket_press
from bot.commands import command_words
from bot.vk.convert import PLATFORM, member_key, without_address
from bot.vk.execute import VkExecutor
from bot.vk.managers import Managers
from handlers.actions import NotifyStaff
from handlers.moderation import Moderation
from handlers.staff import KEY, Command, Staff, StaffReply

log = logging.getLogger(__name__)

Claim = Callable[[str, datetime], Awaitable[bool]]


class VkStaffDesk:
    def __init__(
        self,
        peer: int,
        executor: VkExecutor,
        staff: Staff,
        managers: Managers,
        moderation: Moderation,
        claim: Claim,
    ) -> None:
        self.peer = peer
        self.executor = executor
        self.staff = staff
        self.managers = managers
        self.moderation = moderation
        self.claim = claim

    async def post(self, card: NotifyStaff) -> None:
        cmid = await self.executor.send(self.peer, card.text, card.reply_to_card, card_buttons(card))
        if card.ticket_id is not None:
            async with self.moderation.db.unit() as ledger:
                await ledger.update_ticket(
                    card.ticket_id, datetime.now(UTC), "card", None, staff_message_id=str(cmid)
                )

    async def on_message(self, message: dict[str, Any], event_id: str) -> None:
        author = message["from_id"]
        text = without_address(message.get("text") or "", self.managers.group_id)
        replied = message.get("reply_message") or {}
        parsed = command_words(text)
        if author <= 0 or (parsed is None and not replied) or message.get("action"):
            return
        actor = member_key(author)
        if not await self.moderates(author):
            what = f"/{parsed[0]}" if parsed else "a reply to a card"
            log.info("refused %s in the staff chat from %s: not a moderator", what, actor)
            return
        at = datetime.fromtimestamp(message["date"], UTC)
        if not await self.claim(event_id, at):
            return
        card = str(replied["conversation_message_id"]) if replied.get("conversation_message_id") else None
        if parsed is None:
            reply = await self._relay(card, text, actor, at)
        else:
            name, args = parsed
            found = KEY.search(replied.get("text") or "")
            ticket = await self._ticket_of_card(card) if card else None
            command = Command(
                name, args, actor, at, PLATFORM, found.group() if found else None, ticket=ticket
            )
            reply = await self.staff.run(command)
        if reply is not None:
            await self.executor.run(reply.actions)
            await self.executor.send(self.peer, reply.text, str(message["conversation_message_id"]))

    async def on_button(self, press: dict[str, Any], data: str, event_id: str, at: datetime) -> None:
        actor = member_key(press["user_id"])
        if not await self.moderates(press["user_id"]):
            log.info("refused button %r from %s: not a moderator", data, actor)
            await self.executor.answer(press, "Only moderators can do this.")
            return
        if not await self.claim(event_id, at):
            return
        strike, ticket = strike_press(data), ticket_press(data)
        if strike is not None:
            reply = await self.staff.button(*strike, actor, at)
        elif ticket is not None:
            reply = await self.staff.run(Command(*ticket, actor, at, PLATFORM))
        else:
            await self.executor.answer(press, "Unknown button.")
            return
        await self.executor.run(reply.actions)
        # VK cannot edit a card into "done" without its text: the outcome goes under it instead.
        await self.executor.send(self.peer, reply.text, str(press["conversation_message_id"]))
        await self.executor.answer(press, reply.text)

    async def moderates(self, user_id: int) -> bool:
        if member_key(user_id) in self.moderation.policy.spec.moderators:
            return True
        if await self.managers.moderates(user_id):
            return True
        return user_id in (await self.managers.chat(self.peer)).admins

    async def _relay(self, card: str | None, text: str, actor: str, at: datetime) -> StaffReply | None:
        """A moderator's plain reply to a ticket's card is the answer for its member."""
        tickets = self.staff.tickets
        if card is None or tickets is None or not text:
            return None
        ticket = await self._ticket_of_card(card)
        return None if ticket is None else await tickets.relay(ticket, text, actor, at)

    async def _ticket_of_card(self, card: str) -> int | None:
        async with self.moderation.db.unit() as ledger:
            ticket = await ledger.ticket_by_card(card)
        return ticket.id if ticket else None
