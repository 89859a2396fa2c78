"""The bot's lasting replies to members' messages (answers, suggestions, acknowledgements), remembered for a
while: when a member's message is later deleted as a violation, the bot's reply to it goes too, so that a
suggestion under the first line of a flood or the acknowledgement of a message a moderator removed does
not hang under nothing. Self-deleting warnings are not kept: they go on their own.

In memory and bounded: after a restart an older reply stays, which costs tidiness, never a member's data."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

KEEP = 10_000


class RepliesTo:
    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._by_message: OrderedDict[tuple[str, str], list[str]] = OrderedDict()

    def remember(self, chat: str, message_id: str, reply_id: str) -> None:
        self._by_message.setdefault((chat, message_id), []).append(reply_id)
        self._by_message.move_to_end((chat, message_id))
        while len(self._by_message) > self._keep:
            self._by_message.popitem(last=False)

    def taken_along(self, chat: str, message_ids: Iterable[str]) -> list[str]:
        """The bot's replies to these messages, forgotten as they are returned (they are being deleted)."""
        return [reply for m in message_ids for reply in self._by_message.pop((chat, str(m)), [])]
