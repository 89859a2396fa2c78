"""Decoding of method parameters into Python values, by field name as the Bot API types them.

Clients send every parameter as text (aiogram: multipart/form-data, with numbers as "123", booleans as
"true"/"false" and objects JSON-encoded), or as typed JSON. The server's own types are per field name and
uniform across methods, so one table per kind suffices. Text fields (text, caption, data...) stay strings
even when they look like numbers or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .telegram_errors import bad_request

_INT_FIELDS = frozenset(
    {
        "message_id",
        "user_id",
        "until_date",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "icon_color",
        "cache_time",
        "max_connections",
    }
)
# Chat identifiers are integers or "@channelusername".
_CHAT_FIELDS = frozenset({"chat_id", "from_chat_id", "sender_chat_id"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "disable_web_page_preview",
        "revoke_messages",
        "only_if_banned",
        "use_independent_chat_permissions",
        "drop_pending_updates",
        "show_alert",
        "is_anonymous",
        "show_caption_above_media",
        "has_spoiler",
        "remove_caption",
        "for_channels",
    }
)
# Field -> the words the server uses in "can't parse ... JSON object"; None: a bad value is ignored.
_JSON_FIELDS: dict[str, str | None] = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "caption entities",
    "permissions": "permissions",
    "message_ids": "message_ids",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "commands": "commands",
    "scope": "BotCommandScope",
    "allowed_updates": None,
}


def to_bool(value: Any) -> bool:
    """The server's reading of a boolean: "true", "yes" or "1", in any case; anything else is false."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "yes", "1"}


def _to_int(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return value  # left as given; the method reports it the way the server does


def decode_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed parameters; raises ApiError for unparsable JSON objects, as the server does."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _INT_FIELDS or (key in _CHAT_FIELDS and not str(value).startswith("@")):
            params[key] = _to_int(value)
        elif key in _BOOL_FIELDS or key.startswith("can_"):
            params[key] = to_bool(value)
        elif key in _JSON_FIELDS and isinstance(value, str):
            try:
                params[key] = json.loads(value) if value else None
            except ValueError:
                what = _JSON_FIELDS[key]
                if what is not None:
                    raise bad_request(f"can't parse {what} JSON object") from None
        else:
            params[key] = value
    return params
