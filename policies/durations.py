"""Human durations from the admins' YAML: `10s`, `15m`, `12h`, `7d`, `2w`, `forever`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PART = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"^(?:\s*\d+\s*[smhdw])+\s*$")
FOREVER = "forever"


def parse_duration(text: str, *, allow_forever: bool = False) -> timedelta | None:
    """`7d` -> 7 days; `1h30m` -> 90 minutes; `forever` -> None (only where allowed)."""
    value = str(text).strip().lower()
    if value == FOREVER:
        if allow_forever:
            return None
        raise ValueError("'forever' is not allowed here")
    if not _WHOLE.match(value):
        raise ValueError(f"bad duration {text!r}: use a number and a unit s, m, h, d or w, e.g. 10s, 7d")
    total = timedelta()
    for amount, unit in _PART.findall(value):
        total += timedelta(**{_UNITS[unit]: int(amount)})
    if total <= timedelta(0):
        raise ValueError(f"bad duration {text!r}: must be longer than zero")
    return total


def format_duration(delta: timedelta | None) -> str:
    """The inverse, for explanations: 7 days -> `7d`, None -> `forever`."""
    if delta is None:
        return FOREVER
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _to_duration(value: object) -> timedelta:
    return value if isinstance(value, timedelta) else parse_duration(str(value))  # type: ignore[return-value]


def _to_duration_or_forever(value: object) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return parse_duration(str(value), allow_forever=True)


# Pydantic field types for the YAML schema: the admin writes `7d`, the code gets a timedelta.
Duration = Annotated[
    timedelta, BeforeValidator(_to_duration), WithJsonSchema({"type": "string", "examples": ["10s", "7d"]})
]
DurationOrForever = Annotated[
    timedelta | None,
    BeforeValidator(_to_duration_or_forever),
    WithJsonSchema({"type": "string", "examples": ["30d", "forever"]}),
]
