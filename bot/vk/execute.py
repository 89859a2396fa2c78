"""Actions -> VK API calls. A call that fails is logged and reported to the staff chat (missing rights by
name); "already gone" answers count as done: an action is never dropped silently.

Where each thing happens on VK:
- conversations: messages.delete for everybody, messages.send as a reply (`forward` with is_reply), a ban
  is messages.removeChatUser (VK has no timed ban there: a member who returns while the ban lasts is
  removed again, see conversations.py), a mute goes to the Guard (their messages are deleted until it
  ends);
- the wall: wall.deleteComment (a community admin's token, VK_ADMIN_TOKEN), wall.createComment with
  reply_to_comment (the community's token), bans as community bans (groups.ban with end_date; admin token);
- the board: board.deleteComment (the community's token), board.createComment (admin token), bans as on
  the wall.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import ClientError
from vkbottle import VKAPIError

from bot.replies import RepliesTo
from bot.vk.api import VkApi
from bot.vk.convert import CHAT_PEER_OFFSET, PLATFORM, platform_id, split_ref, surface
from bot.vk.guard import Guard
from handlers.actions import (
    Action,
    Ban,
    Button,
    CloseStaffThread,
    Delete,
    NotifyStaff,
    Reply,
    Restrict,
    ToStaff,
    Unban,
    Unmute,
)
from handlers.cards import until_text

log = logging.getLogger(__name__)

ALREADY_DONE = frozenset({104, 935})  # not found, not in the chat
NO_RIGHT = frozenset({15, 27, 211, 917, 924, 925})
LABEL_MAX = 40  # VK's limits: a button's label, a snackbar, a message
SNACKBAR_MAX = 90
TEXT_MAX = 4096
ADMIN_TOKEN = "VK_ADMIN_TOKEN"

StaffSink = Callable[[NotifyStaff], Awaitable[None]]
Report = Callable[[str], Awaitable[None]]
Schedule = Callable[[datetime, Callable[[], Awaitable[None]]], None]


class NeedsAdminToken(Exception):
    """The call needs a community admin's user token and VK_ADMIN_TOKEN is not set."""


def keyboard(rows: Iterable[Iterable[Button]]) -> str:
    """An inline keyboard of callback buttons; a press comes back as message_event with the data."""
    buttons = [
        [
            {
                "action": {
                    "type": "callback",
                    "label": _label(button.label),
                    "payload": json.dumps({"data": button.data}, ensure_ascii=False),
                },
                "color": "secondary",
            }
            for button in row
        ]
        for row in rows
    ]
    return json.dumps({"inline": True, "buttons": buttons}, ensure_ascii=False)


def button_data(payload: Any) -> str:
    """The data of a pressed button from its payload (VK gives it back as an object, or as JSON text)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return ""
    return str(payload.get("data", "")) if isinstance(payload, dict) else ""


class VkExecutor:
    def __init__(
        self,
        api: VkApi,
        admin: VkApi | None,
        group_id: int,
        guard: Guard,
        staff: StaffSink,
        report: Report,
        schedule: Schedule,
    ) -> None:
        self.api = api
        self.admin = admin
        self.group_id = group_id
        self.guard = guard
        self.staff = staff
        self.report = report
        self.schedule = schedule
        self.replies = RepliesTo()

    async def run(self, actions: Iterable[Action]) -> None:
        """In order, deletions first (a flood burst in one call); community bans once per member."""
        mine: list[Action] = []
        for action in actions:
            if isinstance(action, ToStaff) or action.chat.startswith(f"{PLATFORM}:"):
                mine.append(action)
            else:
                log.warning("%s for %s is not VK's: skipped", type(action).__name__, action.chat)
        deletes = [a for a in mine if isinstance(a, Delete)]
        deleted = {(d.chat, d.message_id) for d in deletes}
        await self._delete_all(deletes)
        community: set[tuple[type, str]] = set()
        for action in mine:
            if isinstance(action, Delete):
                continue
            if isinstance(action, Ban | Unban) and surface(action.chat) != "chat":
                # The wall and the board are one community: one groups.ban covers both.
                if (type(action), action.member) in community:
                    continue
                community.add((type(action), action.member))
            await self._attempt(action, self._one(action, deleted))

    async def _attempt(self, action: Action, work: Awaitable[None]) -> None:
        """Runs the calls for one action; what fails is told to the staff chat."""
        try:
            await work
        except NeedsAdminToken as exc:
            if isinstance(action, Ban | Unban):
                what = f"ban ({until_text('ban', action.until)})" if isinstance(action, Ban) else "unban"
                await self._tell(
                    f"⛔ {action.member} needs a manual {what} in the VK community: {ADMIN_TOKEN} is not set"
                )
            else:
                await self._failed(action, f"{exc} needs {ADMIN_TOKEN}")
        except VKAPIError as exc:
            if exc.code not in ALREADY_DONE:
                await self._failed(action, _vk_error(exc))
        except (ClientError, TimeoutError) as exc:
            await self._failed(action, f"VK unreachable ({type(exc).__name__})")

    async def _one(self, action: Action, deleted: set[tuple[str, str]]) -> None:
        match action:
            case Reply(fallback=fallback) if fallback is not None:
                try:
                    await self._reply(action, deleted)
                except VKAPIError as exc:  # 901: the member no longer accepts the community's messages
                    log.info("%s refused a post (%s): sent to %s instead", action.chat, exc, fallback.chat)
                    await self._reply(fallback, deleted)
            case Reply():
                await self._reply(action, deleted)
            case Ban(chat=chat, member=member, until=until):
                if surface(chat) == "chat":
                    await self._kick(chat, member)
                else:
                    await self._community_ban(member, until)
            case Unban(chat=chat, member=member):
                if surface(chat) != "chat":
                    await self._admin("groups.unban").call(
                        "groups.unban", group_id=self.group_id, owner_id=platform_id(member)
                    )
                # A conversation has nothing to lift: the member may come back, the Guard lets them.
            case Restrict(chat=chat, member=member, until=until):
                self.guard.mute(chat, member, until)
            case Unmute(chat=chat, member=member):
                self.guard.unmute(chat, member)
            case NotifyStaff():
                try:
                    await self.staff(action)
                except Exception:  # the staff chat itself is unreachable: the log is all that is left
                    log.exception("staff card for %s not posted", action.chat)
            case CloseStaffThread(thread=thread):
                log.info("staff thread %s not closed: a VK conversation has no threads", thread)

    # --- deleting -------------------------------------------------------------------------------

    async def _delete_all(self, deletes: list[Delete]) -> None:
        by_chat: dict[str, list[str]] = {}
        for d in deletes:
            by_chat.setdefault(d.chat, []).append(d.message_id)
        for chat, ids in by_chat.items():
            ids += self.replies.taken_along(chat, ids)
            await self._attempt(Delete(chat, ",".join(ids)), self._delete_in(chat, ids))

    async def _delete_in(self, chat: str, ids: list[str]) -> None:
        if surface(chat) == "chat":
            await self._delete_messages(chat, [int(i) for i in ids])
        else:
            for ref in ids:
                await self._delete_comment(chat, ref)

    async def _delete_messages(self, chat: str, cmids: list[int]) -> None:
        peer = platform_id(chat)
        for start in range(0, len(cmids), 100):
            items = await self.api.call(
                "messages.delete", peer_id=peer, cmids=cmids[start : start + 100], delete_for_all=1
            )
            # When some of the messages could be deleted, VK answers the others' errors item by item.
            for item in items:
                error = item.get("error") if isinstance(item, dict) else None
                if error and error.get("code") not in ALREADY_DONE:
                    cmid = str(item.get("conversation_message_id"))
                    detail = f"VK error {error.get('code')}: {error.get('description')}"
                    if error.get("code") in NO_RIGHT:
                        detail = f"the community lacks the right ({detail})"
                    await self._failed(Delete(chat, cmid), detail)

    async def _delete_comment(self, chat: str, ref: str) -> None:
        parent, comment = split_ref(ref)
        if surface(chat) == "wall":
            await self._admin("wall.deleteComment").call(
                "wall.deleteComment", owner_id=-self.group_id, comment_id=comment
            )
        else:
            await self.api.call(
                "board.deleteComment", group_id=self.group_id, topic_id=parent, comment_id=comment
            )

    # --- posting --------------------------------------------------------------------------------

    async def _reply(self, reply: Reply, deleted: set[tuple[str, str]]) -> None:
        place = surface(reply.chat)
        target = reply.reply_to if (reply.chat, reply.reply_to) not in deleted else None
        if place == "chat":
            rows = [(button,) for button in reply.buttons]
            cmid = await self.send(platform_id(reply.chat), reply.text, target, rows)
            if reply.delete_after_s:
                self._later(reply.delete_after_s, self._delete_messages, reply.chat, [cmid])
            elif reply.reply_to is not None:
                self.replies.remember(reply.chat, reply.reply_to, str(cmid))
            return
        if reply.reply_to is None:
            log.warning("reply in %s without a comment to answer: skipped", reply.chat)
            return
        warning = reply.delete_after_s is not None
        if warning and self.admin is None:
            # A warning under a post would stay forever: only one that can be removed later is posted.
            log.info("warning in %s skipped: it could not be removed without %s", reply.chat, ADMIN_TOKEN)
            return
        text = _with_choices(reply.text, reply.buttons)
        parent, comment = split_ref(reply.reply_to)
        if place == "wall":
            answer = await self.api.call(
                "wall.createComment",
                owner_id=-self.group_id,
                post_id=parent,
                message=text,
                reply_to_comment=comment if target else None,
                guid=secrets.token_hex(8),
            )
            posted = answer["comment_id"]
        else:
            posted = await self._admin("board.createComment").call(
                "board.createComment",
                group_id=self.group_id,
                topic_id=parent,
                message=text,
                from_group=1,
                guid=secrets.token_hex(8),
            )
        if warning:
            self._later(reply.delete_after_s or 0, self._delete_comment, reply.chat, f"{parent}_{posted}")
        else:
            self.replies.remember(reply.chat, reply.reply_to, f"{parent}_{posted}")

    async def send(
        self,
        peer: int,
        text: str,
        reply_to: str | None = None,
        rows: Sequence[Sequence[Button]] = (),
    ) -> int:
        """Posts into a conversation; returns the conversation_message_id (VK gives it only for
        `peer_ids`, not for `peer_id`)."""
        forward = (
            json.dumps({"peer_id": peer, "conversation_message_ids": [int(reply_to)], "is_reply": 1})
            if reply_to
            else None
        )
        sent = await self.api.call(
            "messages.send",
            peer_ids=[peer],
            random_id=secrets.randbits(31),
            message=text[:TEXT_MAX],
            forward=forward,
            keyboard=keyboard(rows) if rows else None,
        )
        item = sent[0]
        if "error" in item:
            error = item["error"]
            raise VKAPIError[error.get("code", 1)](error_msg=error.get("description", ""))
        return int(item["conversation_message_id"])

    async def answer(self, press: dict[str, Any], notice: str) -> None:
        """Ends a button press's spinner, with a snackbar when there is something to say."""
        shown = json.dumps({"type": "show_snackbar", "text": notice[:SNACKBAR_MAX]}, ensure_ascii=False)
        try:
            await self.api.call(
                "messages.sendMessageEventAnswer",
                event_id=press["event_id"],
                user_id=press["user_id"],
                peer_id=press["peer_id"],
                event_data=shown if notice else None,
            )
        except VKAPIError as exc:  # the press expired: nothing waits for the answer any more
            log.info("button press not answered: VK error %s", exc.code)

    def _later(self, after_s: int, job: Callable[..., Awaitable[None]], *args: Any) -> None:
        async def run() -> None:
            try:
                await job(*args)
            except (VKAPIError, NeedsAdminToken, ClientError, TimeoutError) as exc:
                log.info("a warning in %s not removed: %s", args[0], exc)

        self.schedule(datetime.now(UTC) + timedelta(seconds=after_s), run)

    # --- members --------------------------------------------------------------------------------

    async def _kick(self, chat: str, member: str) -> None:
        await self.api.call(
            "messages.removeChatUser",
            chat_id=platform_id(chat) - CHAT_PEER_OFFSET,
            member_id=platform_id(member),
        )

    async def _community_ban(self, member: str, until: datetime | None) -> None:
        await self._admin("groups.ban").call(
            "groups.ban",
            group_id=self.group_id,
            owner_id=platform_id(member),
            end_date=int(until.timestamp()) if until else None,
            comment_visible=1,
        )

    def _admin(self, method: str) -> VkApi:
        if self.admin is None:
            raise NeedsAdminToken(method)
        return self.admin

    async def _failed(self, action: Action, detail: str) -> None:
        what = type(action).__name__.lower()
        member = getattr(action, "member", None)
        whom = f" {member}" if member else ""
        await self._tell(f"⚠️ could not {what}{whom} in {getattr(action, 'chat', '?')}: {detail}")

    async def _tell(self, text: str) -> None:
        log.warning("%s", text)
        await self.report(text)


def _vk_error(exc: VKAPIError) -> str:
    text = f"VK error {exc.code}: {exc.error_msg}"
    return f"the community lacks the right ({text})" if exc.code in NO_RIGHT else text


def _label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _with_choices(text: str, buttons: tuple[Button, ...]) -> str:
    """Comments have no buttons: the suggested questions become lines the member can ask again."""
    choices = [b.label for b in buttons if not b.data.endswith(":none")]
    return "\n".join([text, *(f"• {label}" for label in choices)])
