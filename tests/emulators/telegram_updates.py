"""Update delivery as the server does it: one queue of pending updates, served to getUpdates (long
polling, confirmation by offset) or pushed to a webhook, never both. Follows tdlib/telegram-bot-api's
Client.cpp for the conflict rules and the texts of their errors.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from yarl import URL

from .telegram_errors import ApiError, bad_request

log = logging.getLogger(__name__)

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "guest_message",
        "managed_bot",
        "subscription",
        "stopped_message_generation",
    }
)
# What a bot gets until it asks otherwise: everything but these three.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

LONG_POLL_MAX_TIMEOUT = 50
WEBHOOK_HOSTS = frozenset({"127.0.0.1", "localhost"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

CONFLICT_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_OTHER_GET_UPDATES = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request"

_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]*")

# Executes a method a webhook answered with, as the server does with such replies.
ReplyHandler = Callable[[str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    attempt: int
    status: int | None  # the HTTP status, or None when there was no response
    error: str | None
    at: float


class Pulse:
    """Wakes every current waiter at once; take `event` before checking state, then wait on it."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def fire(self) -> None:
        self.event.set()
        self.event = asyncio.Event()


class _LongPoll:
    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflict: str | None = None
        self.closed = False


@dataclass
class _Webhook:
    url: str
    secret_token: str
    max_connections: int


class UpdateFeed:
    def __init__(
        self,
        clock: Callable[[], float],
        on_reply: ReplyHandler,
        *,
        max_attempts: int,
        retry_delay: float,
    ) -> None:
        self._clock = clock
        self._on_reply = on_reply
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._queue: list[dict[str, Any]] = []
        self._next_update_id = 1
        self.allowed = DEFAULT_UPDATE_TYPES
        self.changed = Pulse()
        self._poll: _LongPoll | None = None
        self.webhook: _Webhook | None = None
        self.deliveries: list[WebhookDelivery] = []
        self._last_error: tuple[int, str] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    # --- the queue ------------------------------------------------------------------------------

    def publish(self, kind: str, payload: dict[str, Any]) -> None:
        if kind not in self.allowed:
            log.debug("update %s dropped: not in allowed_updates %s", kind, sorted(self.allowed))
            return
        self._queue.append({"update_id": self._next_update_id, kind: payload})
        self._next_update_id += 1
        if self._poll is not None:
            self._poll.wake.set()
        self.changed.fire()

    def pending(self) -> int:
        return len(self._queue)

    def set_allowed(self, allowed: Any) -> None:
        """Remembers allowed_updates; like the server, it filters updates created from now on.

        Absent or malformed: unchanged. A list without any known type (e.g. []): the default.
        """
        if not isinstance(allowed, list) or not all(isinstance(name, str) for name in allowed):
            return
        chosen = frozenset(name.lower() for name in allowed) & ALL_UPDATE_TYPES
        self.allowed = chosen or DEFAULT_UPDATE_TYPES

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            del self._queue[: max(len(self._queue) + offset, 0)]
        elif offset > 0:
            self._queue = [update for update in self._queue if update["update_id"] >= offset]

    # --- getUpdates -----------------------------------------------------------------------------

    async def get_updates(self, offset: int, limit: int, timeout: int, allowed: Any) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK_ACTIVE)
        self.set_allowed(allowed)
        limit = min(max(limit, 1), 100)
        timeout = min(max(timeout, 0), LONG_POLL_MAX_TIMEOUT)
        self._confirm(offset)
        if self._queue or timeout == 0:
            return copy.deepcopy(self._queue[:limit])
        self._abort_long_poll(CONFLICT_OTHER_GET_UPDATES)
        poll = self._poll = _LongPoll()
        try:
            async with asyncio.timeout(timeout):
                while not self._queue and poll.conflict is None and not poll.closed:
                    poll.wake.clear()
                    await poll.wake.wait()
        except TimeoutError:
            pass
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.conflict is not None:
            raise ApiError(409, poll.conflict)
        return copy.deepcopy(self._queue[:limit])

    def _abort_long_poll(self, conflict: str) -> None:
        if self._poll is not None:
            self._poll.conflict = conflict
            self._poll.wake.set()
            self._poll = None

    # --- webhook --------------------------------------------------------------------------------

    async def set_webhook(
        self, url: str, *, secret_token: str, allowed_updates: Any, drop_pending: bool, max_connections: int
    ) -> str:
        """Returns the server's description of the outcome."""
        if not url:
            return await self.delete_webhook(drop_pending)
        try:
            parsed = URL(url)
        except ValueError:
            raise bad_request("invalid webhook URL specified") from None
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            raise bad_request("invalid webhook URL specified")
        if parsed.host not in WEBHOOK_HOSTS:
            raise bad_request("bad webhook: the emulator delivers updates only to 127.0.0.1 or localhost")
        if len(secret_token) > 256:
            raise bad_request("secret token is too long")
        if not _SECRET_CHARS.fullmatch(secret_token):
            raise bad_request("secret token contains unallowed characters")
        max_connections = min(max(max_connections, 1), 100)
        new = _Webhook(url, secret_token, max_connections)
        if new == self.webhook and not drop_pending:
            self.set_allowed(allowed_updates)
            return "Webhook is already set"
        self._abort_long_poll(CONFLICT_SET_WEBHOOK)
        await self._stop_worker()
        if drop_pending:
            self._queue.clear()
        self.set_allowed(allowed_updates)
        self.webhook = new
        self._last_error = None
        self._worker = asyncio.create_task(self._deliver_all(), name="telegram-emulator-webhook")
        return "Webhook was set"

    async def delete_webhook(self, drop_pending: bool) -> str:
        was_set = self.webhook is not None
        await self._stop_worker()
        self.webhook = None
        self._last_error = None
        if drop_pending:
            self._queue.clear()
        return "Webhook was deleted" if was_set else "Webhook is already deleted"

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["ip_address"] = "127.0.0.1"
            info["max_connections"] = self.webhook.max_connections
            if self.allowed != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self.allowed)
            if self._last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._last_error
        return info

    async def post_to_webhook(self, update: dict[str, Any], secret: str | None) -> int:
        """POSTs any update to the webhook outside the queue (a forgery); returns the HTTP status."""
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        headers = {} if secret is None else {SECRET_HEADER: secret}
        async with self._client().post(self.webhook.url, json=update, headers=headers) as response:
            return response.status

    async def close(self) -> None:
        if self._poll is not None:
            self._poll.closed = True
            self._poll.wake.set()
        await self._stop_worker()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._session

    async def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None

    async def _deliver_all(self) -> None:
        """Sends pending updates one at a time, in order; gives an update up after max_attempts failures."""
        while self.webhook is not None:
            event = self.changed.event
            if not self._queue:
                await event.wait()
                continue
            update = self._queue[0]
            await self._deliver(self.webhook, update)
            if self._queue and self._queue[0] is update:
                self._queue.pop(0)

    async def _deliver(self, webhook: _Webhook, update: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        for attempt in range(1, self._max_attempts + 1):
            status: int | None = None
            reply: tuple[str, dict[str, Any]] | None = None
            try:
                async with self._client().post(webhook.url, json=update, headers=headers) as response:
                    status = response.status
                    error = (
                        None
                        if 200 <= status < 300
                        else f"Wrong response from the webhook: {status} {response.reason}"
                    )
                    if error is None:
                        reply = await _read_reply(response)
            except aiohttp.ClientConnectorError:
                error = "Connection refused"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Webhook request failed: {exc!r}"
            self.deliveries.append(
                WebhookDelivery(update["update_id"], attempt, status, error, self._clock())
            )
            if error is None:
                if reply is not None:
                    try:
                        await self._on_reply(*reply)
                    except Exception:
                        log.exception("executing the webhook's reply %s failed", reply[0])
                return
            self._last_error = (int(self._clock()), error)
            if attempt < self._max_attempts:
                await asyncio.sleep(self._retry_delay * attempt)
        log.warning("update %s given up after %s failed deliveries", update["update_id"], self._max_attempts)


async def _read_reply(response: aiohttp.ClientResponse) -> tuple[str, dict[str, Any]] | None:
    """A method call in a webhook's response body (JSON, form or multipart, like a request)."""
    fields: dict[str, Any] = {}
    if response.content_type == "application/json":
        try:
            data = await response.json(content_type=None)
        except ValueError:
            return None
        if isinstance(data, dict):
            fields = data
    elif response.content_type == "application/x-www-form-urlencoded":
        fields = dict(parse_qsl(await response.text()))
    elif response.content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            if isinstance(part, aiohttp.BodyPartReader) and part.name:
                fields[part.name] = await part.text()
    method = fields.pop("method", None)
    return (method, fields) if isinstance(method, str) and method else None
