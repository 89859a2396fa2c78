"""The strike ladder: from a member's strikes and a new violation to the step taken. Pure; `now` is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from policies.schema import Ladder, LadderStep


class StrikeLike(Protocol):
    at: datetime
    weight: int
    expires_at: datetime | None
    pardoned_at: datetime | None


@dataclass(frozen=True, slots=True)
class LadderDecision:
    collapsed: bool  # part of a burst already counted: no new strike, no new step
    active_before: int
    active_after: int
    step: LadderStep | None
    until: datetime | None  # end of a timed ban or mute
    strike_expires: datetime | None  # when the new strike stops counting

    @property
    def forever(self) -> bool:
        return self.step is not None and self.step.kind == "ban" and self.step.duration is None


def is_active(strike: StrikeLike, now: datetime) -> bool:
    return strike.pardoned_at is None and (strike.expires_at is None or strike.expires_at > now)


def step_for(ladder: Ladder, count: int) -> LadderStep | None:
    """The highest step whose `at` the count has reached."""
    reached = [step for step in ladder.steps if step.at <= count]
    return reached[-1] if reached else None


def decide(ladder: Ladder, strikes: list[StrikeLike], weight: int, now: datetime) -> LadderDecision:
    active = sorted((s for s in strikes if is_active(s, now)), key=lambda s: s.at)
    before = sum(s.weight for s in active)
    if active and now - active[-1].at <= ladder.collapse_within:
        return LadderDecision(True, before, before, None, None, None)
    after = before + weight
    step = step_for(ladder, after)
    until = now + step.duration if step and step.duration is not None else None
    expires = now + ladder.expire_after if ladder.expire_after is not None else None
    return LadderDecision(False, before, after, step, until, expires)
