"""`modbot replay` streams its input: a Telegram export is read message by message, and the report keeps
a fixed-size sample of explained verdicts however long the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.events_io import read_history
from bot.replay import Sample

CHAT = {"name": "Волна | Официальный чат", "type": "private_supergroup", "id": 1987654321}


def message(n: int) -> dict[str, object]:
    return {
        "id": n,
        "type": "message",
        "date_unixtime": str(1_790_000_000 + n),
        "from": f"Участник {n}",
        "from_id": f"user{n}",
        "text": ["Интернет ", {"type": "bold", "text": "опять"}, f" не работает, день {n}"],
    }


def write_export(path: Path, messages: int, *, chat_first: bool = True) -> Path:
    body = {"messages": [message(n) for n in range(1, messages + 1)]}
    export = {**CHAT, **body} if chat_first else {**body, **CHAT}
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@pytest.mark.parametrize("chat_first", [True, False], ids=["chat-first", "chat-last"])
def test_an_export_names_its_chat_before_or_after_the_messages(tmp_path: Path, chat_first: bool) -> None:
    file = write_export(tmp_path / "result.json", 3, chat_first=chat_first)
    with file.open("rb") as stream:
        rows = list(read_history(stream))
    assert [row.ref for row in rows] == ["1", "2", "3"]
    assert {row.event.chat for row in rows} == {"tg:1987654321"}
    assert rows[1].event.text == "Интернет опять не работает, день 2"
    assert rows[1].event.author.key == "tg:2"


def test_an_export_is_read_as_the_rows_are_taken(tmp_path: Path) -> None:
    file = write_export(tmp_path / "result.json", 20_000)
    with file.open("rb") as stream:
        rows = read_history(stream)
        assert next(rows).ref == "1"
        assert stream.tell() < file.stat().st_size / 10


def test_the_sample_has_a_fixed_size_keeps_arrival_order_and_repeats_itself() -> None:
    def sample_of(count: int) -> Sample:
        sample = Sample(5)
        for n in range(count):
            sample.add(f"{n:05}")
        return sample

    few, many = sample_of(3), sample_of(10_000)
    assert (few.items, few.seen) == (["00000", "00001", "00002"], 3)
    assert len(many.items) == 5 and many.seen == 10_000
    assert many.items == sorted(many.items)
    assert many.items != ["00000", "00001", "00002", "00003", "00004"]  # later items get their chance
    assert sample_of(10_000).items == many.items
