"""`modbot classify`: JSON Lines in, one verdict line out per input line, in order, streaming."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.events_io import BadLine, read_json_line
from handlers.moderation import Moderation, Outcome


def verdict_line(ref: object, outcome: Outcome) -> dict[str, object]:
    verdict = outcome.verdict
    lead = verdict.leading if verdict and verdict.violation else None
    until = outcome.until
    return {
        "id": ref,
        "verdict": "violation" if lead else "allow",
        "rule": lead.rule.id if lead else None,
        "category": lead.rule.category if lead else None,
        "action": outcome.action,
        "until": until.isoformat() if until else None,
        "explain": outcome.explain(),
    }


async def classify(moderation: Moderation, source: TextIO = sys.stdin, sink: TextIO = sys.stdout) -> int:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            row = read_json_line(line, number, datetime.now(UTC))
            out = verdict_line(row.ref, await moderation.handle(row.event))
        except BadLine as exc:
            out = {"id": exc.ref, "error": str(exc)}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0
