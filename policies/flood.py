"""Each member's recent messages, for the flood detector. In memory and bounded: a window only needs the
last minute or so, and members who went quiet are dropped. Time is passed in. Storage keeps a copy
(handlers/moderation), from which a restarted process restores a member's window the first time it sees
them."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class FloodWindow:
    def __init__(self, keep: timedelta = timedelta(minutes=5), max_members: int = 100_000) -> None:
        self.keep = keep
        self.max_members = max_members
        self._recent: dict[str, deque[tuple[datetime, str, str]]] = {}

    def observe(self, member: str, at: datetime, key: str, message: str = "") -> None:
        """`key`: the text as it compares with others (normalized words without what is between them);
        `message`: "chat/message id", so that a flood can be removed as a whole."""
        recent = self._recent.pop(member, None) or deque()
        recent.append((at, key, message))
        while recent and at - recent[0][0] > self.keep:
            recent.popleft()
        self._recent[member] = recent  # re-inserted last: dict order is least recently active first
        if len(self._recent) > self.max_members:
            del self._recent[next(iter(self._recent))]

    def knows(self, member: str) -> bool:
        return member in self._recent

    def restore(self, member: str, recent: list[tuple[datetime, str, str]]) -> None:
        """The member's window as storage kept it, oldest first, before this process saw them."""
        self._recent[member] = deque(recent)

    def latest(self, member: str) -> tuple[datetime, str, str] | None:
        recent = self._recent.get(member)
        return recent[-1] if recent else None

    def size(self, member: str) -> int:
        """How many of the member's messages the window holds: a bound on every count below."""
        return len(self._recent.get(member, ()))

    def count_since(self, member: str, since: datetime) -> int:
        return sum(1 for at, _, _ in self._recent.get(member, ()) if at >= since)

    def messages_since(self, member: str, since: datetime, same_text: bool = False) -> list[str]:
        """The member's messages in the window ("chat/message id"), oldest first; with `same_text`, only
        those that repeat the latest one."""
        recent = self._recent.get(member) or deque()
        key = recent[-1][1] if recent else ""
        return [m for at, k, m in recent if at >= since and m and (not same_text or k == key)]

    def repeats_since(self, member: str, since: datetime) -> int:
        """How often the member's latest message was sent within the window (itself included)."""
        recent = self._recent.get(member)
        if not recent or not recent[-1][1]:
            return 0
        key = recent[-1][1]
        return sum(1 for at, k, _ in recent if at >= since and k == key)
