"""`modbot replay`: a chat's history through the policy, with time taken from the messages, and a report
an admin can read before switching the policy on: counts per rule, who would be warned or banned, a
sample of explained verdicts, and with `--diff` the messages whose verdict a policy change would flip.
The history streams: memory does not grow with the file (a chat's export may be gigabytes)."""

from __future__ import annotations

import os
import random
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import IO, BinaryIO, TextIO

from tqdm import tqdm

from bot.events_io import Row, read_history
from handlers.moderation import Moderation, Outcome

SAMPLE = 12
PROGRESS_FROM = 1 << 20  # bytes; a smaller file replays in seconds
SPOOL = 1 << 20  # bytes of changed verdicts kept in memory before they go to a temporary file


@dataclass
class Sample:
    """A fixed-size uniform random sample of a stream (reservoir sampling), seeded so that a replay prints
    the same sample every time; `items` are in the order they came."""

    size: int
    seen: int = 0
    kept: list[tuple[int, str]] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def add(self, item: str) -> None:
        self.seen += 1
        if len(self.kept) < self.size:
            self.kept.append((self.seen, item))
        elif (slot := self.rng.randrange(self.seen)) < self.size:
            self.kept[slot] = (self.seen, item)

    @property
    def items(self) -> list[str]:
        return [item for _, item in sorted(self.kept)]


@dataclass
class Report:
    messages: int = 0
    per_rule: Counter[str] = field(default_factory=Counter)
    shadow: Counter[str] = field(default_factory=Counter)
    exempt: int = 0
    worst: dict[str, tuple[str, str]] = field(default_factory=dict)  # member -> (name, worst step)
    explained: Sample = field(default_factory=lambda: Sample(SAMPLE))

    def add(self, row: Row, outcome: Outcome) -> None:
        self.messages += 1
        verdict = outcome.verdict
        if verdict is None:
            return
        if verdict.exempt and verdict.hits:
            self.exempt += 1
        if not verdict.violation or verdict.leading is None:
            return
        rule = verdict.leading.rule.id
        (self.shadow if verdict.shadow else self.per_rule)[rule] += 1
        self.explained.add(
            f"#{row.ref} {row.event.author.name or row.event.author.key}: "
            f"{_short(row.event.text)!r}\n    {outcome.explain()}"
        )
        member = row.event.author.key or row.ref
        step = outcome.decision.step.label() if outcome.decision and outcome.decision.step else None
        if step and not (outcome.decision and outcome.decision.collapsed):
            self.worst[member] = (row.event.author.name or member, step)

    def print(self, out: TextIO) -> None:
        out.write(f"{self.messages} messages replayed\n\nViolations per rule:\n")
        for rule, n in self.per_rule.most_common():
            out.write(f"  {rule:<12} {n}\n")
        for rule, n in self.shadow.most_common():
            out.write(f"  {rule:<12} {n} (shadow: recorded, nothing done)\n")
        if not self.per_rule and not self.shadow:
            out.write("  none\n")
        out.write(f"  exempt authors matched a rule {self.exempt} times\n")
        out.write("\nMembers who would be warned or banned (latest step):\n")
        for name, step in sorted(self.worst.values(), key=lambda v: (v[1], v[0])):
            out.write(f"  {step:<12} {name}\n")
        shown = self.explained.items
        out.write(f"\nA sample of explained verdicts ({len(shown)} of {self.explained.seen}):\n")
        for line in shown:
            out.write(f"  {line}\n")


class Changes:
    """The messages whose verdict the old policy gives otherwise. Every one is listed, so they are kept:
    in memory while they are few, in a temporary file (`spool`) once they are many."""

    def __init__(self, old: Moderation, spool: IO[str]) -> None:
        self.old = old
        self.spool = spool
        self.count = 0

    async def add(self, row: Row, after: Outcome) -> None:
        before = await self.old.handle(row.event)
        if _label(before) != _label(after):
            self.count += 1
            self.spool.write(f"  #{row.ref} {_label(before)} → {_label(after)}: {_short(row.event.text)!r}\n")

    def print(self, out: TextIO) -> None:
        out.write(f"\nVerdicts that change against the old policy: {self.count}\n")
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def replay(path: Path, moderation: Moderation, out: TextIO, old: Moderation | None = None) -> int:
    report = Report()
    with path.open("rb") as stream, SpooledTemporaryFile(SPOOL, "w+", encoding="utf-8") as spool:
        changes = Changes(old, spool) if old is not None else None
        for row in _with_progress(read_history(stream), stream):
            outcome = await moderation.handle(row.event)
            report.add(row, outcome)
            if changes is not None:
                await changes.add(row, outcome)
        report.print(out)
        if changes is not None:
            changes.print(out)
    return 0


def _with_progress(rows: Iterator[Row], stream: BinaryIO) -> Iterator[Row]:
    """The rows, with a progress bar on stderr by bytes read when the file is big enough to need one."""
    size = os.fstat(stream.fileno()).st_size
    with tqdm(total=size, unit="B", unit_scale=True, disable=size < PROGRESS_FROM, file=sys.stderr) as bar:
        for row in rows:
            yield row
            bar.update(stream.tell() - bar.n)


def _label(outcome: Outcome) -> str:
    verdict = outcome.verdict
    if verdict is None or not verdict.violation or verdict.leading is None:
        return "allow"
    return f"{verdict.leading.rule.id}/{outcome.action}"
