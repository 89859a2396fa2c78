"""A Telegram Bot API emulator on 127.0.0.1, for end-to-end tests and `modbot demo`.

The real bot process talks to it over HTTP exactly as to api.telegram.org (long polling or a webhook);
the test, in the emulator's process, builds the world (users, chats, members), plays what people do
(messages, edits, button presses, joins) and inspects what the bot did (recorded calls, chat state).

    async with BotApiEmulator() as emu:  # the bot process gets emu.base_url and emu.token
        emu.add_user(1, "Ann")
        emu.add_chat(-1001, title="Brand chat")
        emu.set_member(-1001, emu.bot_id, "administrator")
        spam = emu.send_message(-1001, 1, "cheap followers at spam.example")
        call = await emu.wait_for("deleteMessage", lambda c: c.params["message_id"] == spam["message_id"])

Semantics follow the official server (tdlib/telegram-bot-api and TDLib): parameter parsing, access and
rights checks in the server's order and with its error texts, update filtering (allowed_updates at the
time an update is created, privacy mode, chat_member only for admins), getUpdates conflicts, webhooks.
Submodules: telegram_scene (world building), telegram_state (the world), telegram_methods and
telegram_members (the methods), telegram_updates (delivery), telegram_text (entities, parse modes),
telegram_params (parameter decoding), telegram_errors.
"""

from __future__ import annotations

import copy
import inspect
import logging
import math
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .recorder import Emulator
from .telegram_errors import ApiError, not_found, too_many_requests, unauthorized
from .telegram_methods import Answer, Methods
from .telegram_params import decode_params
from .telegram_scene import Scene
from .telegram_state import User, World
from .telegram_updates import UpdateFeed, WebhookDelivery

__all__ = ["ApiError", "BotApiEmulator", "Call", "WebhookDelivery"]

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"(\d+):[\w-]+")
_SENDING_METHODS = frozenset({"sendMessage", "copyMessage", "forwardMessage"})


@dataclass(frozen=True)
class Call:
    """One method call as the emulator received and answered it.

    `params` are decoded: integers as int, booleans as bool, JSON-encoded fields (reply_markup,
    permissions, message_ids...) as Python objects. `result_or_error` is the result on success, else the
    error body ({"ok": False, "error_code", "description"[, "parameters"]}).
    """

    method: str
    params: dict[str, Any]
    at: float
    ok: bool
    result_or_error: Any

    @property
    def error_code(self) -> int | None:
        return None if self.ok else self.result_or_error["error_code"]

    @property
    def description(self) -> str | None:
        return None if self.ok else self.result_or_error["description"]


class _RateLimits:
    """Telegram's documented limits: 30 messages per second overall, 20 per minute into one group."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._all: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}

    def check(self, chat_id: int) -> None:
        now = self._clock()
        for window, limit, sent in ((1.0, 30, self._all), (60.0, 20, self._groups.get(chat_id, deque()))):
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= limit:
                raise too_many_requests(max(math.ceil(sent[0] + window - now), 1))

    def note(self, chat_id: int) -> None:
        now = self._clock()
        self._all.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)


class BotApiEmulator(Emulator, Scene):
    def __init__(
        self,
        bot_username: str = "modbot_test_bot",
        *,
        bot_id: int = 7_000_000_000,
        bot_name: str = "Modbot",
        enforce_rate_limits: bool = False,
        privacy_mode: bool = False,
        webhook_max_attempts: int = 3,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        """`privacy_mode`: the bot hears in groups only what a bot with privacy mode on would, unless it
        is an administrator. A webhook delivery is attempted `webhook_max_attempts` times, then given up."""
        super().__init__()
        self.bot_id = bot_id
        self.token = f"{bot_id}:AAEmulatorToken-{bot_username}"
        self.base_url: str | None = None
        self._faults: dict[str, deque[ApiError]] = {}
        self._limits = _RateLimits(self.now) if enforce_rate_limits else None
        self._feed = UpdateFeed(
            self.now, self._execute_reply, max_attempts=webhook_max_attempts, retry_delay=webhook_retry_delay
        )
        bot = User(bot_id, bot_name, bot_username, is_bot=True)
        self.world = World(bot, self.now, self._feed.publish, privacy_mode=privacy_mode)
        self._methods = Methods(self.world, self._feed)
        self._begin_record(list(self._methods.table))

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Serves on 127.0.0.1 at a free port; returns the base URL ("http://127.0.0.1:PORT")."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.base_url = await self._serve(app)
        return self.base_url

    # --- inspection -----------------------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat's messages now, oldest first (deleted ones gone, edits applied)."""
        stored = self.world.messages.get(chat_id, {})
        return [copy.deepcopy(stored[message_id]) for message_id in sorted(stored)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        found = self.world.get_message(chat_id, message_id)
        return copy.deepcopy(found) if found is not None else None

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        return message_id in self.world.deleted.get(chat_id, set())

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """The ChatMember now; a ban or restriction whose until_date has passed has ended."""
        return self.world.member_dict(chat_id, user_id)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by getUpdates (or not yet delivered to the webhook)."""
        return self._feed.pending()

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return self._feed.deliveries

    async def post_to_webhook(self, update: dict[str, Any], secret: str | None = None) -> int:
        """POSTs `update` to the bot's webhook with `secret` in the secret-token header (None: no header),
        bypassing the queue, as a forger would; returns the HTTP status."""
        return await self._feed.post_to_webhook(update, secret)

    # --- fault injection ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail with this error, without changing anything.

        429 reads "Too Many Requests: retry after N" with parameters.retry_after (N defaults to 1).
        """
        name = self._canonical(method)
        if error_code == 429:
            retry_after = retry_after or 1
            description = description or f"retry after {retry_after}"
        error = ApiError(error_code, description or "", retry_after=retry_after)
        self._faults.setdefault(name, deque()).extend([error] * times)

    # --- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    raw.update(body)
            elif request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
                for key, value in (await request.post()).items():
                    raw[key] = value if isinstance(value, str) else f"<file {value.filename}>"
        status, body = await self._execute(request.match_info["token"], request.match_info["method"], raw)
        return web.json_response(body, status=status)

    async def _execute_reply(self, method: str, fields: dict[str, Any]) -> None:
        await self._execute(None, method, fields)

    async def _execute(
        self, token: str | None, method: str, raw: Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Runs one call (token None: a webhook's reply, already the bot's) and records it."""
        name = self._names.get(method.lower())
        params: dict[str, Any] = dict(raw)
        try:
            if token is not None:
                match = _TOKEN.fullmatch(token)
                if match is None:
                    raise not_found()
                if int(match[1]) != self.bot_id:
                    raise unauthorized()
            if name is None:
                raise not_found()
            params = decode_params(raw)
            faults = self._faults.get(name)
            if faults:
                raise faults.popleft()
            chat_id = self._rate_limited_chat(name, params)
            result = self._methods.table[name](params)
            if inspect.isawaitable(result):
                result = await result
            if chat_id is not None and self._limits is not None:
                self._limits.note(chat_id)
        except Exception as exc:
            if isinstance(exc, ApiError):
                error = exc
            else:  # an emulator bug: answered like a server error, and logged
                log.exception("the emulator failed on %s", method)
                error = ApiError(500, f"emulator failure: {exc!r}")
            self._record(Call(name or method, params, self.now(), False, error.payload()))
            return error.code, error.payload()
        body: dict[str, Any] = {"ok": True}
        if isinstance(result, Answer):
            body["result"], body["description"] = result.result, result.description
        else:
            body["result"] = result
        self._record(Call(name, params, self.now(), True, body["result"]))
        return 200, body

    def _rate_limited_chat(self, name: str, params: dict[str, Any]) -> int | None:
        chat_id = params.get("chat_id")
        if self._limits is None or name not in _SENDING_METHODS or not isinstance(chat_id, int):
            return None
        self._limits.check(chat_id)
        return chat_id

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._calls_changed.fire()
