"""Too many messages too fast, or the same text again and again."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from policies.detectors.base import Context, Detector, Finding, Message, Settings
from policies.durations import Duration, format_duration


class FloodSettings(Settings):
    messages: int = Field(5, ge=1, description="more than this many messages within `per` is flood")
    per: Duration = timedelta(seconds=10)
    repeats: int = Field(3, ge=2, description="the same text this many times within `repeat_within`")
    repeat_within: Duration = timedelta(seconds=60)


class FloodDetector(Detector):
    name = "flood"
    settings_model = FloodSettings

    def observes_history(self) -> bool:
        return True

    def check(self, message: Message, ctx: Context) -> Finding | None:
        s: FloodSettings = self.settings  # type: ignore[assignment]
        member = message.event.author.key
        if ctx.flood is None or member is None or ctx.flood.size(member) < min(s.messages + 1, s.repeats):
            return None
        whole = (0, len(message.norm.original))
        count = ctx.flood.count_since(member, ctx.now - s.per)
        if count > s.messages:
            burst = _earlier(ctx.flood.messages_since(member, ctx.now - s.per), message)
            return Finding(
                "flood", (whole,), figure=f"{count} messages in {format_duration(s.per)}", burst=burst
            )
        same = ctx.flood.repeats_since(member, ctx.now - s.repeat_within)
        if same >= s.repeats:
            burst = _earlier(
                ctx.flood.messages_since(member, ctx.now - s.repeat_within, same_text=True), message
            )
            figure = f"same text {same} times in {format_duration(s.repeat_within)}"
            return Finding("flood", (whole,), figure=figure, burst=burst)
        return None


def _earlier(refs: list[str], message: Message) -> tuple[str, ...]:
    """The other messages of the burst in this chat, as message ids."""
    prefix = f"{message.event.chat}/"
    own = prefix + message.event.message_id
    return tuple(ref.removeprefix(prefix) for ref in refs if ref.startswith(prefix) and ref != own)
