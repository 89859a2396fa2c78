"""The tone guard: a moderator's reply speaks as the brand, so before it is relayed it must carry no
profanity, no insult, and nothing on politics, religion or race. The policy's own rules and lexicons
judge it, as they would a member's message."""

from __future__ import annotations

from datetime import UTC, datetime

from policies.compile import CompiledPolicy
from policies.engine import Engine
from policies.events import Author, ChatKind, Event

GUARDED = frozenset({"profanity", "insult"})


def tone_problem(policy: CompiledPolicy, text: str) -> str | None:
    """Why `text` must not go out in the brand's name, or None when it may."""
    event = Event("tone", "tone:reply", ChatKind.GROUP, "0", Author(None), text, datetime.now(UTC))
    verdict = Engine(policy).evaluate(event)
    for hit in verdict.hits:
        if hit.rule.category in GUARDED:
            return f"{hit.rule.category}: {', '.join(hit.finding.quotes(text))}"
    lexicon = policy.spec.tickets.tone_lexicon
    found = policy.index.scan(verdict.norm).get(lexicon or "", []) if verdict.norm else []
    if found:
        norm = verdict.norm
        assert norm is not None
        quotes = sorted({norm.quote(hit.start, hit.end) for hit in found})
        return f"a sensitive topic (politics, religion or race): {', '.join(quotes)}"
    return None
