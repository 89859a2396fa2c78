"""Posts kept in the database from the moment they are queued until they are sent.

A post may wait minutes for its chat's message budget (20 a minute into one group); without the outbox a
shutdown in that time would lose members' answers, relayed moderator replies and ticket cards.

Each post is leased to the process that queued it, which renews its leases while it runs and gives them up
at a clean shutdown; a post whose lease ran out is adopted by whichever process (a restart, or another
replica on the same database) looks next. Delivery is at least once: a crash between the send and its
record sends that post again."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import UTC, datetime, timedelta
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


# Renewed every sweep (30 s): a process that stopped renewing for this long is gone.
LEASE = timedelta(minutes=2)


class Outbox:
    def __init__(self, db: Database, platform: str, owner: str | None = None) -> None:
        self._db = db
        self._platform = platform
        self.owner = owner or uuid.uuid4().hex

    async def keep(self, post: Post) -> int:
        now = datetime.now(UTC)
        async with self._db.unit() as ledger:
            return await ledger.keep_post(self._platform, encode(post), now, self.owner, now + LEASE)

    async def sent(self, post_id: int) -> None:
        async with self._db.unit() as ledger:
            await ledger.post_done(post_id)

    async def renew(self) -> None:
        async with self._db.unit() as ledger:
            await ledger.lease_posts(self.owner, datetime.now(UTC) + LEASE)

    async def release(self) -> None:
        """At a clean shutdown: the next process adopts the posts left at once, not after the lease."""
        async with self._db.unit() as ledger:
            await ledger.lease_posts(self.owner, datetime.min.replace(tzinfo=UTC))

    async def adopt(self) -> list[tuple[int, Post]]:
        """The posts another process left (their lease ran out), now ours to send; one this version cannot
        read is logged and dropped, never retried."""
        now = datetime.now(UTC)
        posts = []
        async with self._db.unit() as ledger:
            for post_id, data in await ledger.adopt_posts(self._platform, self.owner, now, now + LEASE):
                try:
                    posts.append((post_id, decode(data)))
                except (KeyError, TypeError) as exc:
                    log.warning("outbox post %d dropped, unreadable (%s): %s", post_id, exc, data)
                    await ledger.post_done(post_id)
        return posts
