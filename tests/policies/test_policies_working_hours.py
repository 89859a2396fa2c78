"""A ticket's due time with and without the team's working hours (Mon-Fri 09:00-18:00 Moscow, UTC+3)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from policies.schema import WorkingHours
from policies.working_hours import due_time

OFFICE = WorkingHours(timezone="Europe/Moscow", holidays=[date(2026, 3, 9)])


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026 in Moscow, as UTC: the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) - timedelta(hours=3)


@pytest.mark.parametrize(
    ("asked", "sla", "due"),
    [
        (msk(2, 10), timedelta(hours=4), msk(2, 14)),  # inside a working day
        (msk(2, 7), timedelta(hours=2), msk(2, 11)),  # before opening: counted from 09:00
        (msk(2, 17), timedelta(hours=3), msk(3, 11)),  # 1 h today, 2 h tomorrow
        (msk(6, 17), timedelta(hours=8), msk(10, 16)),  # Friday: the weekend and Monday's holiday skipped
        (msk(7, 12), timedelta(hours=1), msk(10, 10)),  # Saturday
        (msk(2, 10), timedelta(hours=24), msk(4, 16)),  # 24 working hours are nearly three days
    ],
)
def test_the_sla_counts_working_hours_only(asked: datetime, sla: timedelta, due: datetime) -> None:
    assert due_time(asked, sla, OFFICE) == due


def test_without_working_hours_the_sla_runs_around_the_clock() -> None:
    assert due_time(msk(7, 12), timedelta(hours=24), None) == msk(8, 12)


def test_a_day_that_changes_its_clock_is_as_long_as_it_is() -> None:
    # Berlin moves to summer time on Sunday 2026-03-29 at 02:00: that day has 23 hours.
    every_day = WorkingHours(timezone="Europe/Berlin", days=["sun", "mon"], start="00:00", end="23:59")
    asked = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # Sunday 00:00 in Berlin
    assert due_time(asked, timedelta(hours=5), every_day) == asked + timedelta(hours=5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"start": "18:00", "end": "09:00"}, "must be after start"),
        ({"days": []}, "at least 1"),
        ({"days": ["monday"]}, "mon"),
    ],
)
def test_mistakes_in_working_hours_are_explained(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WorkingHours(**fields)
