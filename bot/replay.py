"""`modbot replay`: a chat's history through the policy, with time taken from the messages, and a report
an admin can read before switching the policy on: counts per rule, who would be warned or banned, a
sample of explained verdicts, and with `--diff` the messages whose verdict a policy change would flip."""

from __future__ import annotations

import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from bot.events_io import Row, read_history
from handlers.moderation import Moderation, Outcome

SAMPLE = 12
PROGRESS_FROM = 5_000


@dataclass
class Report:
    messages: int = 0
    per_rule: Counter[str] = field(default_factory=Counter)
    shadow: Counter[str] = field(default_factory=Counter)
    exempt: int = 0
    worst: dict[str, tuple[str, str]] = field(default_factory=dict)  # member -> (name, worst step)
    explained: list[str] = field(default_factory=list)

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
        self.explained.append(
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
        shown = min(SAMPLE, len(self.explained))
        out.write(f"\nA sample of explained verdicts ({shown} of {len(self.explained)}):\n")
        picked = random.Random(0).sample(self.explained, shown)
        for line in sorted(picked, key=self.explained.index):
            out.write(f"  {line}\n")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def replay(path: Path, moderation: Moderation, out: TextIO, old: Moderation | None = None) -> int:
    report = Report()
    changed: list[str] = []
    rows = read_history(path)
    total = path.stat().st_size
    progress = tqdm(rows, unit="msg", disable=total < PROGRESS_FROM * 200, file=sys.stderr)
    for row in progress:
        outcome = await moderation.handle(row.event)
        report.add(row, outcome)
        if old is not None:
            before = await old.handle(row.event)
            if _label(before) != _label(outcome):
                changed.append(f"#{row.ref} {_label(before)} → {_label(outcome)}: {_short(row.event.text)!r}")
    report.print(out)
    if old is not None:
        out.write(f"\nVerdicts that change against the old policy: {len(changed)}\n")
        for line in changed:
            out.write(f"  {line}\n")
    return 0


def _label(outcome: Outcome) -> str:
    verdict = outcome.verdict
    if verdict is None or not verdict.violation or verdict.leading is None:
        return "allow"
    return f"{verdict.leading.rule.id}/{outcome.action}"
