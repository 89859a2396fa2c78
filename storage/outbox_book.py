"""The outbox: posts kept from the moment they are queued until they are sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage.book import Book
from storage.models import OutboxPost


class OutboxBook(Book):
    async def keep_post(self, platform: str, action: dict[str, Any], at: datetime) -> int:
        post = OutboxPost(platform=platform, action=action, queued_at=at)
        self._session.add(post)
        await self._session.flush()
        return post.id

    async def post_done(self, post_id: int) -> None:
        await self._session.execute(delete(OutboxPost).where(OutboxPost.id == post_id))

    async def waiting_posts(self, platform: str) -> list[tuple[int, dict[str, Any]]]:
        """Oldest first, as they were queued."""
        rows = await self._session.execute(
            select(OutboxPost.id, OutboxPost.action)
            .where(OutboxPost.platform == platform)
            .order_by(OutboxPost.id)
        )
        return [(post_id, action) for post_id, action in rows]
