"""Offline input: JSON Lines messages and Telegram Desktop exports, both turned into `Event`s as they are
read, so that a history of any size replays in the same memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import ijson

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


def read_history(stream: BinaryIO) -> Iterator[Row]:
    """A Telegram Desktop `result.json` or a JSON Lines file, in the order of the file, read as the rows are
    taken: `stream.tell()` says how far it got."""
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(b"{") and (b'"messages"' in head or b'"name"' in head):
        yield from _read_export(stream)
        return
    for number, line in enumerate(stream, start=1):
        if line.strip():
            try:
                yield read_json_line(line.decode("utf-8", "replace"), number, datetime.now(UTC))
            except BadLine:
                continue


def _read_export(stream: BinaryIO) -> Iterator[Row]:
    # Exports name the chat before its messages. Should one name it after them, finding the id costs the
    # parser a pass over the file (in C, building nothing) rather than the memory to hold the messages.
    chat = f"tg:{next(ijson.items(stream, 'id'), 'export')}"
    stream.seek(0)
    for message in ijson.items(stream, "messages.item", use_float=True):
        row = _export_row(message, chat)
        if row is not None:
            yield row


def _export_row(message: dict[str, Any], chat: str) -> Row | None:
    """One exported message as a row; None for service messages and messages without text."""
    if message.get("type") != "message":
        return None
    text = export_text(message.get("text", ""))
    if not text.strip():
        return None
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
    return Row(str(message.get("id")), event)


def _role(author_id: str) -> Role:
    # Posts signed by the group or a channel are the brand's own.
    return Role.ADMIN if author_id.startswith("channel") else Role.MEMBER


def export_text(text: Any) -> str:
    """Telegram exports write text as a string or a list of strings and entity objects."""
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part.get("text", "") for part in text)
