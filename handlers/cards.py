"""The cards that tell moderators in the staff chat what the bot did, and why. Staff-only text: members
never see it, so it is written here rather than in the admins' templates."""

from __future__ import annotations

from datetime import datetime

from policies.events import Event

TIME_FORMAT = "%d.%m.%Y %H:%M UTC"


def member_line(key: str | None, name: str | None = None, username: str | None = None) -> str:
    parts = [p for p in (name, f"@{username}" if username else None, key) if p]
    return " · ".join(parts) or "unknown member"


def until_text(kind: str, until: datetime | None) -> str:
    if kind == "warn":
        return ""
    return "forever" if until is None else f"until {until.strftime(TIME_FORMAT)}"


def violation_card(
    event: Event, title: str, step: str, until: datetime | None, explanation: str, status: str
) -> str:
    kind = step.split()[0] if step else "none"
    lines = [
        f"🛡 {title}: {step or 'no step'} ({status})",
        f"👤 {member_line(event.author.key, event.author.name, event.author.username)}",
        f"💬 {event.chat} · message {event.message_id}",
        f"🔎 {explanation}",
    ]
    tail = until_text(kind, until)
    if tail:
        lines.append(f"⏳ {tail}")
    return "\n".join(lines)
