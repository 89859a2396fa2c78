"""A VK API emulator on 127.0.0.1 for end-to-end tests of a community bot built on vkbottle 4.

The bot talks to it over HTTP as to api.vk.ru: methods at {base_url}{method.name} (POST or GET; form
fields; access_token and v in the query or the form), Bots Long Poll through groups.getLongPollServer and
the server URL it returns, or Callback API POSTs to the bot. The test builds the world (people, the
community and its managers, chats, wall posts, board topics), plays what people do (messages, edits, joins,
button presses, comments) and inspects what the bot did (recorded calls, deleted messages, kicks, bans).

Pointing vkbottle at it. vkbottle's API builds every URL as ``self.API_URL + method``, where API_URL is a
class attribute (``vkbottle_types.API_URL``, "https://api.vk.ru/method/"); set it on the instance. The long
poll server URL comes from groups.getLongPollServer, so BotPolling needs nothing else::

    async with VkApiEmulator() as emu:
        api = API(emu.group_token)
        api.API_URL = emu.base_url                      # "http://127.0.0.1:PORT/method/"
        bot = Bot(api=api)                              # or BotPolling(api, group_id=emu.group_id)
        admin = API(emu.admin_token)                    # a community admin's user token (groups.ban ...)
        admin.API_URL = emu.base_url

vkbottle sends v=5.199 (vkbottle_types.API_VERSION); replies and events are shaped for that version
whatever v says, and events carry "v": "5.199". Errors are {"error": {"error_code", "error_msg",
"request_params"}} with HTTP 200, as VK answers, so vkbottle raises VKAPIError[code]. Two vkbottle facts
worth knowing in tests: BotPolling saves its ts to ./.vkbottle/bot-polling/<group_id>.json in the working
directory (chdir to a temporary one), and vkbottle_types cannot parse groups.getMembers(filter=managers)
(use api.request for it).

What the emulator leaves out, knowingly: attachments and uploads, message_reply events for the community's
own messages, long poll event-type settings (every event is sent), execute beyond `return` of API calls
(see vk_execute), and the natural expiry of long poll keys (inject it with fail_long_poll).

Submodules: vk_scene (world building), vk_state (the world), vk_messages and vk_community (the methods),
vk_execute (execute), vk_longpoll (Long Poll and Callback API delivery), vk_params, vk_errors.
"""

from __future__ import annotations

import copy
import inspect
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiohttp import web

from .recorder import Emulator
from .vk_community import CommunityMethods
from .vk_errors import VkApiError, group_auth_unavailable, invalid_token, no_method_access, no_token, param
from .vk_execute import ExecuteResult, execute
from .vk_longpoll import CallbackDelivery, EventFeed
from .vk_messages import MessageMethods
from .vk_params import MethodTable, Params, decoded_for_record
from .vk_scene import Scene
from .vk_state import ANY_TOKEN, GROUP_ONLY, Caller, Community, User, World

__all__ = ["Call", "CallbackDelivery", "VkApiEmulator", "VkApiError"]

log = logging.getLogger(__name__)

_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass(frozen=True)
class Call:
    """One method call as the emulator received and answered it.

    `params` are as received minus the token, with ids, id lists and JSON fields (keyboard, forward,
    event_data...) decoded. `result_or_error` is the response on success, else the "error" object.
    Calls made inside execute are recorded too, with `in_execute` set.
    """

    method: str
    params: dict[str, Any]
    caller: Caller | None
    at: float
    ok: bool
    result_or_error: Any
    in_execute: bool = False

    @property
    def error_code(self) -> int | None:
        return None if self.ok else self.result_or_error["error_code"]

    @property
    def error_msg(self) -> str | None:
        return None if self.ok else self.result_or_error["error_msg"]


class _RateLimit:
    """VK's per-token limits: at most N calls in any second, else error 6."""

    def __init__(self, clock: Callable[[], float], per_second: dict[str, int | None]) -> None:
        self._clock = clock
        self._per_second = per_second
        self._recent: dict[str, deque[float]] = {}

    def check(self, token: str, caller: Caller) -> None:
        limit = self._per_second.get(caller.kind)
        if limit is None:
            return
        now = self._clock()
        recent = self._recent.setdefault(token, deque())
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= limit:
            raise VkApiError(6)
        recent.append(now)


class VkApiEmulator(Emulator, Scene):
    WAIT_S = 5.0

    def __init__(
        self,
        *,
        group_id: int = 227_000_001,
        group_name: str = "Brand Community",
        group_screen_name: str = "brand_community",
        admin_id: int = 1,
        group_rps: int | None = 20,
        user_rps: int | None = 3,
        callback_attempts: int = 3,
        callback_retry_delay: float = 0.2,
    ) -> None:
        """`admin_id` is the community's creator (a user "Community Admin"), whose token is admin_token.
        `group_rps`/`user_rps`: VK's requests-per-second limits per token (None: no limit)."""
        self.group_id = group_id
        self.admin_id = admin_id
        self.group_token = f"vk1.a.group{group_id}.{secrets.token_urlsafe(24)}"
        self.admin_token = f"vk1.a.user{admin_id}.{secrets.token_urlsafe(24)}"
        self.confirmation_code = secrets.token_hex(4)
        self.base_url: str | None = None
        self._origin = ""
        self._tokens = {
            self.group_token: Caller("group", group_id),
            self.admin_token: Caller("user", admin_id),
        }
        self._faults: dict[str, deque[VkApiError]] = {}
        self._limits = _RateLimit(time.monotonic, {"group": group_rps, "user": user_rps})
        self._feed = EventFeed(
            group_id, self.now, callback_attempts=callback_attempts, callback_retry_delay=callback_retry_delay
        )
        community = Community(group_id, group_name, group_screen_name, {admin_id: "creator"}, {admin_id})
        self.world = World(community, self.now, self._feed.publish)
        self.world.users[admin_id] = User(admin_id, "Community", "Admin")
        self._table: MethodTable = {
            **MessageMethods(self.world).table(),
            **CommunityMethods(self.world).table(),
            "groups.getLongPollServer": (self._get_long_poll_server, GROUP_ONLY),
            "groups.getCallbackConfirmationCode": (self._get_confirmation_code, ANY_TOKEN),
            "execute": (self._execute, ANY_TOKEN),
        }
        self._begin_record(list(self._table))

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Serves on 127.0.0.1 at a free port; returns base_url ("http://127.0.0.1:PORT/method/")."""
        app = web.Application()
        app.router.add_route("*", "/method/{method}", self._handle_method)
        app.router.add_route("*", "/whp/{group_id}", self._handle_long_poll)
        self._origin = await self._serve(app)
        self.base_url = f"{self._origin}/method/"
        return self.base_url

    # --- tokens ---------------------------------------------------------------------------------

    def user_token(self, user_id: int) -> str:
        """A user token of `user_id` (e.g. a moderator's, or a non-manager's to see error 15)."""
        self.world.user(user_id)
        token = f"vk1.a.user{user_id}.{secrets.token_urlsafe(24)}"
        self._tokens[token] = Caller("user", user_id)
        return token

    def revoke_token(self, token: str) -> None:
        """From now on calls with `token` fail with error 5, as after the owner revoked it."""
        self._tokens.pop(token, None)

    # --- inspection -----------------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event published so far, as the long poll serves them."""
        return copy.deepcopy(self._feed.events)

    def message(self, peer_id: int, conversation_message_id: int) -> dict[str, Any] | None:
        found = self.world.message(peer_id, conversation_message_id)
        return found.to_dict(self.group_id) if found is not None else None

    def is_deleted(self, peer_id: int, conversation_message_id: int) -> bool:
        """Deleted for everybody (a deletion for the community only does not count)."""
        found = self.world.message(peer_id, conversation_message_id)
        return found is not None and found.deleted_for_all

    def sent_messages(self, peer_id: int) -> list[dict[str, Any]]:
        """The community's messages in the peer, oldest first, with edits applied (text, keyboard,
        reply_message, fwd_messages), including deleted ones; service messages left out."""
        stored = self.world.messages.get(peer_id, {})
        return [
            stored[cmid].to_dict(self.group_id)
            for cmid in sorted(stored)
            if stored[cmid].from_id == self.world.community_peer and stored[cmid].action is None
        ]

    def chat_members(self, peer_id: int) -> list[int]:
        """Member ids now: people, and -group_id while the community is in the chat."""
        return list(self.world.chat(peer_id).members)

    def is_banned(self, user_id: int) -> bool:
        return self.world.active_ban(user_id) is not None

    def ban_info(self, user_id: int) -> dict[str, Any] | None:
        """The community ban as groups.getBanned shows it (end_date 0: forever), or None."""
        ban = self.world.active_ban(user_id)
        return ban.info() if ban is not None else None

    def ban_end_date(self, user_id: int) -> int | None:
        ban = self.world.active_ban(user_id)
        return ban.end_date if ban is not None else None

    def comment_deleted(self, comment_id: int, *, topic_id: int | None = None) -> bool:
        """Whether a wall comment (or, with `topic_id`, a board comment) was deleted."""
        found = (
            self.world.wall_comments.get(comment_id)
            if topic_id is None
            else self.world.board_comments.get((topic_id, comment_id))
        )
        if found is None:
            raise ValueError(f"no such comment {comment_id}")
        return found.deleted

    def button_answer(self, event_id: str) -> dict[str, Any] | None:
        """The event_data the bot answered a button press with (None: answered without, or not yet)."""
        return copy.deepcopy(self.world.button_answers.get(event_id))

    def button_answered(self, event_id: str) -> bool:
        return event_id in self.world.button_answers

    @property
    def callback_deliveries(self) -> list[CallbackDelivery]:
        return list(self._feed.deliveries)

    # --- fault injection ------------------------------------------------------------------------

    def fail_next(self, method: str, error_code: int, *, times: int = 1, detail: str | None = None) -> None:
        """The next `times` calls of `method` fail with this error (VK's text for the code, plus
        `detail` after a colon), without changing anything. Also applies to calls inside execute."""
        name = self._canonical(method)
        self._faults.setdefault(name, deque()).extend(VkApiError(error_code, detail) for _ in range(times))

    def fail_long_poll(self, code: int) -> None:
        """The next a_check answers {"failed": code}: 1 history outdated, with the ts as of now (events
        published before this call and not fetched yet are lost); 2 key expired (the bot keeps its ts and
        loses nothing); 3 information lost (the bot takes a new ts: what comes before it is lost). With 2
        and 3 the keys handed out so far stop working."""
        self._feed.inject_failure(code)

    # --- Callback API ---------------------------------------------------------------------------

    async def set_callback_server(self, url: str, *, secret: str | None = None) -> bool:
        """As VK does when a server is added: POSTs {"type": "confirmation"} to `url`, and only if the
        answer is `confirmation_code` delivers every later event there (with `secret`), expecting "ok" and
        retrying otherwise. Returns whether the server was confirmed. Long Poll keeps working too."""
        if not await self._feed.confirm(url, self.confirmation_code):
            return False
        self._feed.use_callback(url, secret)
        return True

    # --- HTTP -----------------------------------------------------------------------------------

    @staticmethod
    async def _fields(request: web.Request) -> dict[str, str]:
        fields = dict(request.query)
        if request.body_exists and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            for key, value in (await request.post()).items():
                if isinstance(value, str):
                    fields[key] = value
        return fields

    async def _handle_method(self, request: web.Request) -> web.Response:
        body = await self.call(request.match_info["method"], await self._fields(request))
        return web.json_response(body, dumps=_dumps)

    async def _handle_long_poll(self, request: web.Request) -> web.Response:
        fields = await self._fields(request)
        if request.match_info["group_id"] != str(self.group_id) or fields.get("act") != "a_check":
            raise web.HTTPNotFound()
        wait = int(fields["wait"]) if fields.get("wait", "").isdigit() else 25
        body = await self._feed.check(fields.get("key", ""), fields.get("ts", ""), wait)
        return web.json_response(body, dumps=_dumps)

    async def call(self, method: str, fields: Mapping[str, str]) -> dict[str, Any]:
        """Answers one method call as VK would (the HTTP body), recording it."""
        name = self._names.get(method.lower(), method)
        try:
            caller = self._authorize(name, fields)
            result = await self._dispatch(caller, name, fields)
        except VkApiError as error:
            return error.body(name, fields)
        if isinstance(result, ExecuteResult):
            body: dict[str, Any] = {"response": result.response}
            if result.errors:
                body["execute_errors"] = result.errors
            return body
        return {"response": result}

    def _authorize(self, name: str, fields: Mapping[str, str]) -> Caller:
        """The checks VK makes before a method runs: the method exists, the token, the rate limit."""
        try:
            if name not in self._table:
                raise VkApiError(3)
            token = fields.get("access_token", "")
            if not token:
                raise no_token()
            caller = self._tokens.get(token)
            if caller is None:
                raise invalid_token()
            self._limits.check(token, caller)
        except VkApiError as error:
            self._record_failure(name, fields, None, error, in_execute=False)
            raise
        return caller

    async def _dispatch(
        self, caller: Caller, name: str, fields: Mapping[str, str], *, in_execute: bool = False
    ) -> Any:
        """Runs a known method for `caller` and records the call; raises VkApiError on failure."""
        try:
            handler, kinds = self._table[name]
            faults = self._faults.get(name)
            if faults:
                raise faults.popleft()
            if caller.kind not in kinds:
                raise group_auth_unavailable() if caller.kind == "group" else no_method_access()
            result = handler(caller, Params(fields))
            if inspect.isawaitable(result):
                result = await result
        except VkApiError as error:
            self._record_failure(name, fields, caller, error, in_execute=in_execute)
            raise
        except Exception as exc:  # an emulator bug: answered as VK's internal error, and logged
            log.exception("the emulator failed on %s", name)
            error = VkApiError(10, repr(exc))
            self._record_failure(name, fields, caller, error, in_execute=in_execute)
            raise error from exc
        recorded = result.response if isinstance(result, ExecuteResult) else result
        params = decoded_for_record(fields)
        self._record(Call(name, params, caller, self.now(), True, copy.deepcopy(recorded), in_execute))
        return result

    def _record_failure(
        self,
        name: str,
        fields: Mapping[str, str],
        caller: Caller | None,
        error: VkApiError,
        *,
        in_execute: bool,
    ) -> None:
        params = decoded_for_record(fields)
        self._record(
            Call(name, params, caller, self.now(), False, error.body(name, fields)["error"], in_execute)
        )

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._calls_changed.fire()

    # --- methods that need the server itself ------------------------------------------------------

    def _get_long_poll_server(self, caller: Caller, p: Params) -> dict[str, str]:
        group_id = p.number("group_id")
        if group_id is None:
            raise param("group_id is undefined")
        if group_id != caller.id:
            raise VkApiError(15)
        return {**self._feed.new_key(), "server": f"{self._origin}/whp/{self.group_id}"}

    def _get_confirmation_code(self, caller: Caller, p: Params) -> dict[str, str]:
        if p.required_number("group_id") != self.group_id or (
            caller.kind == "user" and not self.world.can_moderate(caller.id)
        ):
            raise VkApiError(15)
        return {"code": self.confirmation_code}

    async def _execute(self, caller: Caller, p: Params) -> ExecuteResult:
        code = p.text("code")
        if code is None:
            raise param("code is undefined")

        async def run(method: str, fields: dict[str, str]) -> Any:
            name = self._names.get(method.lower())
            if name is None or name == "execute":
                raise VkApiError(3)
            return await self._dispatch(caller, name, fields, in_execute=True)

        return await execute(code, run)
