"""VK's Callback API instead of Bots Long Poll: VK POSTs each event to VK_CALLBACK_HOST:VK_CALLBACK_PORT
(put a TLS proxy in front), any path.

VK's confirmation request is answered with VK_CONFIRMATION_CODE; an event without VK_CALLBACK_SECRET, or
for another community, is refused. An event is answered "ok" only once it is handled, so one that was not
(a crash, a restart) comes again, and VK's retries are recognised by their event_id in storage. Events are
handled one at a time, in the order they arrive.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

Handle = Callable[[dict[str, Any]], Awaitable[None]]


class CallbackServer:
    def __init__(
        self, handle: Handle, group_id: int, confirmation: str, secret: str | None, host: str, port: int
    ) -> None:
        self.handle = handle
        self.group_id = group_id
        self.confirmation = confirmation
        self.secret = secret
        self.host = host
        self.port = port
        self._order = asyncio.Lock()

    async def serve(self) -> None:
        """Until cancelled."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self._receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        log.info("VK Callback API: listening on %s:%s", self.host, self.port)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(body, dict) or body.get("group_id") != self.group_id:
            return web.Response(status=403, text="another community")
        if body.get("type") == "confirmation":
            return web.Response(text=self.confirmation)
        if self.secret is not None and not hmac.compare_digest(str(body.get("secret", "")), self.secret):
            log.warning("VK Callback API: an event without the secret refused")
            return web.Response(status=403, text="bad secret")
        async with self._order:
            await self.handle(body)
        return web.Response(text="ok")
