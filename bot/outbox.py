"""Posts kept in the database from the moment they are queued until they are sent.

A post may wait minutes for its chat's message budget (20 a minute into one group); without the outbox a
shutdown in that time would lose members' answers, relayed moderator replies and ticket cards. Delivery is
at least once: a crash between the send and its record sends that post again after the restart."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

from handlers.actions import Button, NotifyStaff, Reply
from storage.db import Database

log = logging.getLogger(__name__)

Post = Reply | NotifyStaff
_KINDS: dict[str, type[Post]] = {"reply": Reply, "card": NotifyStaff}


def encode(post: Post) -> dict[str, Any]:
    kind = "reply" if isinstance(post, Reply) else "card"
    return {"kind": kind, **dataclasses.asdict(post)}


def decode(data: dict[str, Any]) -> Post:
    fields = dict(data)
    cls = _KINDS[fields.pop("kind")]
    return _reply(fields) if cls is Reply else cls(**fields)


def _reply(fields: dict[str, Any]) -> Reply:
    fields["buttons"] = tuple(Button(**b) for b in fields.get("buttons", ()))
    if fields.get("fallback") is not None:
        fields["fallback"] = _reply(dict(fields["fallback"]))
    return Reply(**fields)


class Outbox:
    def __init__(self, db: Database, platform: str) -> None:
        self._db = db
        self._platform = platform

    async def keep(self, post: Post) -> int:
        async with self._db.unit() as ledger:
            return await ledger.keep_post(self._platform, encode(post), datetime.now(UTC))

    async def sent(self, post_id: int) -> None:
        async with self._db.unit() as ledger:
            await ledger.post_done(post_id)

    async def waiting(self) -> list[tuple[int, Post]]:
        """The posts not sent yet; one this version cannot read is logged and dropped, never retried."""
        posts = []
        async with self._db.unit() as ledger:
            for post_id, data in await ledger.waiting_posts(self._platform):
                try:
                    posts.append((post_id, decode(data)))
                except (KeyError, TypeError) as exc:
                    log.warning("outbox post %d dropped, unreadable (%s): %s", post_id, exc, data)
                    await ledger.post_done(post_id)
        return posts
