"""The outbox: posts kept from the moment they are queued until they are sent, each leased to the process
that sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from storage.book import Book
from storage.models import OutboxPost


class OutboxBook(Book):
    async def keep_post(
        self, platform: str, action: dict[str, Any], at: datetime, owner: str, leased_until: datetime
    ) -> int:
        post = OutboxPost(
            platform=platform, action=action, queued_at=at, owner=owner, leased_until=leased_until
        )
        self._session.add(post)
        await self._session.flush()
        return post.id

    async def post_done(self, post_id: int) -> None:
        await self._session.execute(delete(OutboxPost).where(OutboxPost.id == post_id))

    async def lease_posts(self, owner: str, until: datetime) -> None:
        """Renews (or, with a past `until`, gives up) the owner's leases."""
        await self._session.execute(
            update(OutboxPost).where(OutboxPost.owner == owner).values(leased_until=until)
        )

    async def adopt_posts(
        self, platform: str, owner: str, now: datetime, until: datetime
    ) -> list[tuple[int, dict[str, Any]]]:
        """The posts whose lease ran out, oldest first, now leased to `owner`. Each is taken by one
        conditional update, so of two processes adopting at once only one gets a post."""
        rows = await self._session.execute(
            select(OutboxPost.id, OutboxPost.action)
            .where(OutboxPost.platform == platform, OutboxPost.leased_until < now)
            .order_by(OutboxPost.id)
        )
        adopted = []
        for post_id, action in rows.all():
            taken = await self._session.execute(
                update(OutboxPost)
                .where(OutboxPost.id == post_id, OutboxPost.leased_until < now)
                .values(owner=owner, leased_until=until)
            )
            if taken.rowcount:  # type: ignore[attr-defined]
                adopted.append((post_id, action))
        return adopted
