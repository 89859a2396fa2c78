"""Event delivery as VK does it for a community: Bots Long Poll (keys, ts, a long-polled a_check) and,
when a test sets one up, a Callback API server that gets each event as a POST.

Long poll failures follow the documented contract: {"failed": 1, "ts": N} (history outdated: go on from N,
events before it are lost), {"failed": 2} (key expired: get a new key, keep your ts), {"failed": 3}
(information lost: get a new key and ts).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from .telegram_updates import Pulse
from .vk_state import API_VERSION

log = logging.getLogger(__name__)

LONG_POLL_MAX_WAIT = 90
FAILURE_CODES = frozenset({1, 2, 3})
CALLBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_TS = re.compile(r"\d+")


@dataclass(frozen=True)
class CallbackDelivery:
    """One POST of an event (or of the confirmation request) to the Callback API server."""

    event_type: str
    event_id: str | None
    attempt: int
    status: int | None  # None when there was no HTTP response
    body: str | None
    at: float


@dataclass
class _CallbackServer:
    url: str
    secret: str | None


class EventFeed:
    def __init__(
        self,
        group_id: int,
        clock: Callable[[], float],
        *,
        callback_attempts: int,
        callback_retry_delay: float,
    ) -> None:
        self.group_id = group_id
        self._clock = clock
        self._events: list[dict[str, Any]] = []  # the event with ts N is _events[N - 1]
        self._keys: set[str] = set()
        self._failures: deque[tuple[int, int]] = deque()  # (code, next_ts when it was injected)
        self._closed = False
        self.changed = Pulse()
        self._callback: _CallbackServer | None = None
        self._callback_attempts = callback_attempts
        self._callback_retry_delay = callback_retry_delay
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.deliveries: list[CallbackDelivery] = []

    @property
    def next_ts(self) -> int:
        return len(self._events) + 1

    @property
    def events(self) -> list[dict[str, Any]]:
        return self._events

    def publish(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "group_id": self.group_id,
            "type": event_type,
            "event_id": secrets.token_hex(20),
            "v": API_VERSION,
            "object": copy.deepcopy(obj),
        }
        self._events.append(event)
        if self._callback is not None:
            self._outbox.put_nowait(event)
        self.changed.fire()
        return event

    # --- Bots Long Poll -------------------------------------------------------------------------

    def new_key(self) -> dict[str, str]:
        """A key and the current ts, as groups.getLongPollServer gives them (the server URL is added by
        the caller). Earlier keys stay valid until expire_keys(), as on VK."""
        key = secrets.token_hex(20)
        self._keys.add(key)
        return {"key": key, "ts": str(self.next_ts)}

    def expire_keys(self) -> None:
        self._keys.clear()
        self.changed.fire()

    def inject_failure(self, code: int) -> None:
        if code not in FAILURE_CODES:
            raise ValueError(f"long poll failure codes are 1, 2 and 3, not {code}")
        if code in {2, 3}:
            # The bot must fetch a new key; the old one must not work after the failure either.
            self._keys.clear()
        self._failures.append((code, self.next_ts))
        self.changed.fire()

    async def check(self, key: str, ts: str, wait: int) -> dict[str, Any]:
        """One act=a_check request: waits up to `wait` seconds for events at or after `ts`."""
        if self._failures:
            return self._failure(self._failures.popleft())
        if key not in self._keys:
            return {"failed": 2}
        if not _TS.fullmatch(ts) or not 1 <= int(ts) <= self.next_ts:
            return self._failure((1, self.next_ts))
        since = int(ts)
        try:
            async with asyncio.timeout(min(max(wait, 0), LONG_POLL_MAX_WAIT)):
                while True:
                    pulse = self.changed.event
                    if self._closed or self._failures or key not in self._keys or self.next_ts > since:
                        break
                    await pulse.wait()
        except TimeoutError:
            pass
        if self._failures:
            return self._failure(self._failures.popleft())
        if key not in self._keys:
            return {"failed": 2}
        return {"ts": str(self.next_ts), "updates": copy.deepcopy(self._events[since - 1 :])}

    def _failure(self, failure: tuple[int, int]) -> dict[str, Any]:
        # Failure 1 loses the events published before it and not yet fetched; failure 3 loses those
        # published before the bot gets its new key and ts.
        code, ts = failure
        return {"failed": 1, "ts": str(ts)} if code == 1 else {"failed": code}

    # --- Callback API ---------------------------------------------------------------------------

    async def confirm(self, url: str, expected: str) -> bool:
        """VK's confirmation request; the server must answer with the community's confirmation code."""
        _check_loopback(url)
        status, body = await self._post(url, {"type": "confirmation", "group_id": self.group_id})
        self.deliveries.append(CallbackDelivery("confirmation", None, 1, status, body, self._clock()))
        return status == 200 and body is not None and body.strip() == expected

    def use_callback(self, url: str, secret: str | None) -> None:
        _check_loopback(url)
        self._callback = _CallbackServer(url, secret)
        if self._worker is None:
            self._worker = asyncio.create_task(self._deliver_forever())

    async def _deliver_forever(self) -> None:
        while True:
            event = await self._outbox.get()
            server = self._callback
            assert server is not None  # events are queued only once a server is set
            body = dict(event)
            if server.secret is not None:
                body["secret"] = server.secret
            for attempt in range(1, self._callback_attempts + 1):
                status, text = await self._post(server.url, body)
                self.deliveries.append(
                    CallbackDelivery(event["type"], event["event_id"], attempt, status, text, self._clock())
                )
                self.changed.fire()
                if status == 200 and text is not None and text.strip() == "ok":
                    break
                await asyncio.sleep(self._callback_retry_delay)

    async def _post(self, url: str, body: dict[str, Any]) -> tuple[int | None, str | None]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        try:
            async with self._session.post(url, json=body) as response:
                return response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("callback delivery to %s failed: %r", url, exc)
            return None, None

    async def close(self) -> None:
        self._closed = True
        self.changed.fire()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None


def _check_loopback(url: str) -> None:
    if URL(url).host not in CALLBACK_HOSTS:
        raise ValueError(f"the emulator only posts to loopback addresses, not {url!r}")
