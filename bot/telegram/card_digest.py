"""Staff cards during a raid or a backlog. The staff chat takes 20 posts a minute, so when a spam wave brings
hundreds of violations (or a restart hundreds of questions), a card each would reach the moderators an hour
late. The cards past the budget are folded into digests instead, a line per card (who, where, what, the
strike to pardon or the ticket to answer), posted as soon as the budget allows; every action stays in the
audit log with its full explanation, every ticket in /tickets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from handlers.actions import NotifyStaff

MESSAGE_LIMIT = 4000  # below the Bot API's 4096 characters, for the header
LINE_LIMIT = 300
CHECK_S = 1.0


def digest_line(card: NotifyStaff) -> str:
    lines = card.text.splitlines()
    if card.ticket_id is not None:  # its heading, who, and the member's words
        return _cut(" · ".join(lines[:2] + lines[3:4])) + f" · /reply {card.ticket_id}"
    head = _cut(" · ".join(lines[:3]))
    return f"{head} · strike #{card.strike_id}" if card.strike_id is not None else head


def _cut(line: str) -> str:
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


def digest_texts(cards: list[NotifyStaff]) -> list[str]:
    """The digest of `cards`, in as many messages as its length needs."""
    count = f"{len(cards)} card" + ("s" if len(cards) != 1 else "")
    header = f"🚨 {count} folded in a burst (a line each: /pardon or /unban the member, /reply N a ticket):"
    continued = "🚨 …continued:"
    texts, lines, size = [], [header], len(header)
    for line in map(digest_line, cards):
        if size + len(line) + 1 > MESSAGE_LIMIT and len(lines) > 1:
            texts.append("\n".join(lines))
            lines, size = [continued], len(continued)
        lines.append(line)
        size += len(line) + 1
    texts.append("\n".join(lines))
    return texts


class CardDigest:
    def __init__(self, has_room: Callable[[], bool], post: Callable[[str], Awaitable[None]]) -> None:
        self._has_room = has_room
        self._post = post
        self._cards: list[NotifyStaff] = []
        self._flusher: asyncio.Task[None] | None = None

    def add(self, card: NotifyStaff) -> asyncio.Task[None]:
        """Queues the card; returns the task that will post it (for the shutdown drain)."""
        self._cards.append(card)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return self._flusher

    async def _flush(self) -> None:
        while self._cards:
            while not self._has_room():
                await asyncio.sleep(CHECK_S)
            cards, self._cards = self._cards, []
            for text in digest_texts(cards):
                await self._post(text)
