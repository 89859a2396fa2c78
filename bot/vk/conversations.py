"""The conversations the community is in: registered in storage (a moderator's community-wide ban reaches
every known one), named by their titles in reports, and watched for who joins. A member banned from a
conversation who comes back before the ban ends is removed again; the community's own arrival there, its
removal and a missing admin right are reported to the staff chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError
from vkbottle import VKAPIError

from bot.newcomers import Newcomers
from bot.vk.api import VkApi
from bot.vk.convert import member_key, peer_key
from bot.vk.execute import VkExecutor
from bot.vk.guard import Guard
from bot.vk.managers import ChatAccess, Managers
from handlers.actions import Ban
from handlers.cards import until_text
from policies.events import ChatKind
from storage import Database

log = logging.getLogger(__name__)

JOINS = frozenset({"chat_invite_user", "chat_invite_user_by_link"})
Claim = Callable[[str, datetime], Awaitable[bool]]
Report = Callable[[str], Awaitable[None]]


class Conversations:
    def __init__(
        self,
        api: VkApi,
        group_id: int,
        db: Database,
        managers: Managers,
        guard: Guard,
        executor: VkExecutor,
        claim: Claim,
        report: Report,
    ) -> None:
        self.api = api
        self.group_id = group_id
        self.db = db
        self.managers = managers
        self.guard = guard
        self.executor = executor
        self.claim = claim
        self.report = report
        self.newcomers = Newcomers(db)
        self.known: set[str] = set()

    async def remember(self, key: str, title: str | None) -> None:
        # Kind "group": the places a moderator's community-wide ban or mute reaches (handlers/staff).
        async with self.db.unit() as ledger:
            await ledger.upsert_chat(key, ChatKind.GROUP.value, title)
        self.known.add(key)

    async def seen(self, peer: int, access: ChatAccess, announce: bool = False) -> None:
        """Registered once per run; a conversation where the community is no admin is reported then."""
        key = peer_key(peer)
        if key in self.known:
            return
        title = await self.title(peer)
        await self.remember(key, title)
        if not access.admin:
            await self.report(
                f"⚠️ the community is in {title} without admin rights: it hears only messages addressed to "
                "it there and only records violations (shadow mode) until it is made an admin"
            )
        elif announce:
            await self.report(f"✅ the bot moderates {title}")

    async def title(self, peer: int) -> str:
        try:
            answer = await self.api.call("messages.getConversationsById", peer_ids=peer)
            settings = answer["items"][0].get("chat_settings") or {}
            return f"{settings.get('title')} ({peer_key(peer)})"
        except (VKAPIError, ClientError, TimeoutError, LookupError):  # a nicety: the key names it too
            return peer_key(peer)

    async def on_service(self, message: dict[str, Any], event_id: str) -> None:
        """A service message: someone joined or left the conversation."""
        action, peer = message["action"], message["peer_id"]
        self.managers.forget(peer)
        at = datetime.fromtimestamp(message["date"], UTC)
        kind, target = action["type"], action.get("member_id")
        if kind not in (*JOINS, "chat_kick_user") or not await self.claim(event_id, at):
            return
        if kind == "chat_kick_user":
            if target == -self.group_id:
                await self.report(f"ℹ️ the community was removed from {await self.title(peer)}")
            return
        joined = target if kind == "chat_invite_user" else message["from_id"]
        if joined == -self.group_id:
            self.known.discard(peer_key(peer))
            await self.seen(peer, await self.managers.chat(peer), announce=True)
            return
        chat, member = peer_key(peer), member_key(joined)
        await self.newcomers.joined(chat, member, at)
        sanction = await self.guard.banned(chat, member, at)
        if sanction is None:
            return
        log.info("%s came back to %s during a ban: removed again", member, chat)
        await self.executor.run([Ban(chat, member, sanction.until)])
        await self.report(
            f"🔁 {member} came back to {await self.title(peer)} during a ban "
            f"({until_text('ban', sanction.until)}): removed again"
        )
