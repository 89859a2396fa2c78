"""What both platform emulators share: serving on 127.0.0.1 at a free port, the emulated clock, and the
record of the calls the bot made, which tests inspect and wait on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol, Self

from aiohttp import web

from .telegram_updates import Pulse


class RecordedCall(Protocol):
    method: str
    ok: bool

    @property
    def error_code(self) -> int | None: ...


class Feed(Protocol):
    async def close(self) -> None: ...


class Emulator:
    """Subclasses call `_begin_record(methods)` in their constructor, append each call to `calls` and then
    `_calls_changed.fire()`, and serve their routes with `_serve(app)`."""

    WAIT_S = 10.0
    calls: list[Any]
    _feed: Feed

    def _begin_record(self, methods: list[str]) -> None:
        self.calls = []
        self._cursor = 0
        self._calls_changed = Pulse()
        self._clock_offset = 0.0
        self._runner: web.AppRunner | None = None
        self._names = {name.lower(): name for name in methods}

    # --- lifecycle ------------------------------------------------------------------------------

    async def _serve(self, app: web.Application) -> str:
        """Serves `app` on 127.0.0.1 at a free port; returns its origin ("http://127.0.0.1:PORT")."""
        # Cancelling a handler when its client goes away ends the long poll of a stopped bot process.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def start(self) -> str:
        raise NotImplementedError

    async def stop(self) -> None:
        await self._feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- time -----------------------------------------------------------------------------------

    def now(self) -> float:
        """The emulated platform clock (unix seconds): message dates, ban ends, edit and delete windows."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Moves the emulated clock forward, e.g. to let a temporary ban end without waiting."""
        self._clock_offset += seconds

    # --- inspection -----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Any]:
        name = self._canonical(method)
        return [call for call in self.calls if call.method == name]

    def mark(self) -> int:
        """Moves the wait_for cursor past every call recorded so far; returns the cursor."""
        self._cursor = len(self.calls)
        return self._cursor

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
        *,
        since: int | None = None,
    ) -> Any:
        """The first call of `method` matching `predicate` among the calls recorded since the cursor
        (set by mark(), initially 0; or `since`, an index into `calls`), waiting up to `timeout` seconds.

        Waiting does not move the cursor: two waits may return the same call. Call mark() between
        steps, or tell calls apart with the predicate.
        """
        name = self._canonical(method)
        start = self._cursor if since is None else since
        timeout = self.WAIT_S if timeout is None else timeout
        try:
            async with asyncio.timeout(timeout):
                while True:
                    pulse = self._calls_changed.event
                    for call in self.calls[start:]:
                        if call.method == name and (predicate is None or predicate(call)):
                            return call
                    await pulse.wait()
        except TimeoutError:
            seen = ", ".join(f"{c.method}{'' if c.ok else f' ({c.error_code})'}" for c in self.calls[start:])
            raise TimeoutError(
                f"no matching {name} call within {timeout}s; calls since the cursor: {seen or 'none'}"
            ) from None

    def _canonical(self, method: str) -> str:
        try:
            return self._names[method.lower()]
        except KeyError:
            raise ValueError(f"the emulator does not serve method {method!r}") from None
