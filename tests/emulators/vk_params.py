"""Method parameters as VK receives them (form fields, all strings) and reads them, with its error 100."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .vk_errors import VkApiError, param
from .vk_state import Caller

_INT = re.compile(r"-?\d+")

# How recorded calls show parameters: these decoded, every other one kept as the string VK received.
_INT_FIELDS = frozenset(
    {
        "peer_id",
        "user_id",
        "chat_id",
        "member_id",
        "random_id",
        "group_id",
        "owner_id",
        "post_id",
        "comment_id",
        "topic_id",
        "reply_to",
        "reply_to_comment",
        "conversation_message_id",
        "cmid",
        "message_id",
        "end_date",
        "reason",
        "delete_for_all",
        "from_group",
        "comment_visible",
        "offset",
        "count",
        "spam",
    }
)
_INT_LIST_FIELDS = frozenset({"peer_ids", "cmids", "message_ids", "conversation_message_ids"})
_JSON_FIELDS = frozenset({"keyboard", "forward", "event_data", "template", "content_source", "payload"})


def decoded_for_record(raw: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "access_token":
            continue
        if key in _INT_FIELDS and _INT.fullmatch(value):
            params[key] = int(value)
        elif key in _INT_LIST_FIELDS and all(_INT.fullmatch(part) for part in value.split(",")):
            params[key] = [int(part) for part in value.split(",")]
        elif key in _JSON_FIELDS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        else:
            params[key] = value
    return params


# A method: (who calls, its parameters) -> the response, or VkApiError; async handlers are awaited.
Handler = Callable[[Caller, "Params"], Any]
MethodTable = dict[str, tuple[Handler, frozenset[str]]]


class Params:
    """Typed reads of one call's parameters; a bad value fails the call with VK's error 100."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)

    def has(self, name: str) -> bool:
        return self.raw.get(name, "") != ""

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.raw.get(name, "")
        if value == "":
            if required:
                raise param(f"{name} is undefined")
            return None
        return value

    def number(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not _INT.fullmatch(value.strip()):
            raise param(f"{name} not integer")
        return int(value)

    def required_number(self, name: str) -> int:
        value = self.number(name)
        if value is None:
            raise param(f"{name} is undefined")
        return value

    def numbers(self, name: str) -> list[int]:
        parts = self.words(name)
        if not all(_INT.fullmatch(part) for part in parts):
            raise param(f"{name} not integer")
        return [int(part) for part in parts]

    def words(self, name: str) -> list[str]:
        value = self.text(name)
        return [part.strip() for part in value.split(",") if part.strip()] if value else []

    def flag(self, name: str) -> bool:
        return self.raw.get(name, "").strip().lower() in {"1", "true"}

    def json_value(self, name: str, *, error: VkApiError | None = None) -> Any:
        value = self.text(name)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise error or param(f"{name} is invalid") from None
