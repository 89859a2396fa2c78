"""Offline input: JSON Lines messages and Telegram Desktop exports, both turned into `Event`s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policies.events import Author, ChatKind, Event, Role

EXAMPLE_CHAT = Path(__file__).parent / "examples" / "result.json"


class BadLine(ValueError):
    """One input line that cannot be read; the run goes on."""

    def __init__(self, ref: Any, message: str) -> None:
        super().__init__(message)
        self.ref = ref


@dataclass(frozen=True, slots=True)
class Row:
    ref: str  # the id the output line echoes
    event: Event


def event_from_json(record: dict[str, Any], ref: Any, now: datetime, chat: str = "cli:chat") -> Event:
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine(ref, "'text' must be a string")
    user = record.get("user")
    ts = record.get("ts")
    if ts is not None and not isinstance(ts, int | float):
        raise BadLine(ref, "'ts' must be unix seconds")
    try:
        at = datetime.fromtimestamp(ts, UTC) if ts is not None else now
    except (OverflowError, ValueError, OSError) as exc:
        raise BadLine(ref, f"'ts' {ts!r} is not a time: {exc}") from exc
    return Event(
        platform="cli",
        chat=f"cli:{record['chat']}" if record.get("chat") is not None else chat,
        chat_kind=ChatKind.GROUP,
        message_id=str(ref),
        author=Author(f"cli:{user}" if user is not None else None, str(user or "")),
        text=text,
        at=at,
    )


def read_json_line(line: str, number: int, now: datetime) -> Row:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(str(number), f"line {number}: not JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise BadLine(str(number), f"line {number}: expected an object")
    ref = record.get("id", number)
    return Row(ref, event_from_json(record, ref, now))


def read_history(path: Path) -> Iterator[Row]:
    """A Telegram Desktop `result.json` or a JSON Lines file, in the order of the file."""
    with path.open(encoding="utf-8") as handle:
        head = handle.read(1)
        handle.seek(0)
        if head == "{" and _is_export(path):
            yield from _read_export(json.load(handle))
            return
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield read_json_line(line, number, datetime.now(UTC))
                except BadLine:
                    continue


def _is_export(path: Path) -> bool:
    with path.open(encoding="utf-8") as handle:
        start = handle.read(4096)
    return '"messages"' in start or '"name"' in start


def _read_export(export: dict[str, Any]) -> Iterator[Row]:
    chat = f"tg:{export.get('id', 'export')}"
    for message in export.get("messages", []):
        if message.get("type") != "message":
            continue
        text = export_text(message.get("text", ""))
        if not text.strip():
            continue
        author_id = str(message.get("from_id", ""))
        key = f"tg:{author_id.removeprefix('user')}" if author_id.startswith("user") else None
        links = tuple(
            e.get("href") or e.get("text", "")
            for e in message.get("text_entities", [])
            if e.get("type") in ("link", "text_link")
        )
        mentions = tuple(
            e.get("text", "") for e in message.get("text_entities", []) if e.get("type") == "mention"
        )
        at = datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
        event = Event(
            platform="tg",
            chat=chat,
            chat_kind=ChatKind.GROUP,
            message_id=str(message.get("id")),
            author=Author(key, message.get("from") or "", role=_role(author_id)),
            text=text,
            at=at,
            links=links,
            mentions=mentions,
            forwarded_from_channel=bool(message.get("forwarded_from")),
        )
        yield Row(str(message.get("id")), event)


def _role(author_id: str) -> Role:
    # Posts signed by the group or a channel are the brand's own.
    return Role.ADMIN if author_id.startswith("channel") else Role.MEMBER


def export_text(text: Any) -> str:
    """Telegram exports write text as a string or a list of strings and entity objects."""
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part.get("text", "") for part in text)
