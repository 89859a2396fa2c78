from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from policies.ladder import decide
from policies.schema import Ladder

LADDER = Ladder.model_validate(
    {
        "expire_after": "180d",
        "collapse_within": "60s",
        "steps": [
            {"at": 1, "do": "warn"},
            {"at": 2, "do": {"ban": "7d"}},
            {"at": 3, "do": {"ban": "30d"}},
            {"at": 4, "do": {"ban": "forever"}},
        ],
    }
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Strike:
    at: datetime
    weight: int = 1
    expires_at: datetime | None = None
    pardoned_at: datetime | None = None


def strikes(*days: float, weight: int = 1) -> list[Strike]:
    return [Strike(T0 + timedelta(days=d), weight, T0 + timedelta(days=d + 180)) for d in days]


@pytest.mark.parametrize(
    ("history", "label", "until_days"),
    [
        ([], "warn", None),
        (strikes(0), "ban 7d", 7),
        (strikes(0, 1), "ban 30d", 30),
        (strikes(0, 1, 2), "ban forever", None),
        (strikes(0, 1, 2, 3), "ban forever", None),
    ],
)
def test_steps_by_active_strikes(history: list[Strike], label: str, until_days: int | None) -> None:
    now = T0 + timedelta(days=10)
    decision = decide(LADDER, history, 1, now)
    assert decision.step is not None and decision.step.label() == label
    assert decision.until == (now + timedelta(days=until_days) if until_days else None)
    assert decision.strike_expires == now + timedelta(days=180)


def test_a_burst_is_one_incident() -> None:
    decision = decide(LADDER, strikes(0), 1, T0 + timedelta(seconds=59))
    assert decision.collapsed and decision.step is None
    assert not decide(LADDER, strikes(0), 1, T0 + timedelta(seconds=61)).collapsed


def test_expired_strikes_stop_counting() -> None:
    decision = decide(LADDER, strikes(0, 1), 1, T0 + timedelta(days=400))
    assert decision.active_before == 0 and decision.step.label() == "warn"


def test_a_pardoned_strike_does_not_count() -> None:
    history = strikes(0, 1)
    history[1].pardoned_at = T0 + timedelta(days=2)
    assert decide(LADDER, history, 1, T0 + timedelta(days=3)).step.label() == "ban 7d"


def test_weights_add_up() -> None:
    assert decide(LADDER, strikes(0, weight=2), 1, T0 + timedelta(days=1)).step.label() == "ban 30d"
