"""`modbot ask`: JSON Lines questions in, one FAQ decision line out per input line, in order, streaming."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from policies.faq.decide import FaqDesk


def decision_line(ref: Any, desk: FaqDesk, text: str) -> dict[str, Any]:
    outcome = desk.decide(text)
    return {
        "id": ref,
        "decision": outcome.decision.value,
        "entry": outcome.entry,
        "suggestions": outcome.suggestions,
        "score": round(outcome.score, 4),
        "triage": outcome.triage.kind.value,
        "lang": outcome.lang,
    }


def ask(desk: FaqDesk, source: TextIO = sys.stdin, sink: TextIO = sys.stdout) -> int:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            out: dict[str, Any] = {"id": str(number), "error": f"line {number}: not JSON ({exc.msg})"}
        else:
            ref = record.get("id", str(number)) if isinstance(record, dict) else str(number)
            text = record.get("text") if isinstance(record, dict) else None
            if isinstance(text, str):
                out = decision_line(ref, desk, text)
            else:
                out = {"id": ref, "error": f"line {number}: expected an object with a string 'text'"}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0
