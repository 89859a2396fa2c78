"""The words of a staff command, the same on every platform: `/ban@modbot vk:1 7d` -> ("ban", ("vk:1",
"7d"))."""

from __future__ import annotations

import re

_COMMAND = re.compile(r"/([a-z_]+)(?:@\w+)?(?:\s+(.*))?", re.DOTALL | re.IGNORECASE)


def command_words(text: str | None) -> tuple[str, tuple[str, ...]] | None:
    """None for a message that is not a command."""
    parsed = _COMMAND.fullmatch((text or "").strip())
    if parsed is None:
        return None
    return parsed.group(1).lower(), tuple((parsed.group(2) or "").split())
