"""When a ticket is due: its SLA counted in the team's working hours (policy `tickets.working_hours`), or
around the clock without them. Pure: the caller gives the time the member asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

from policies.schema import Weekday, WorkingHours

_WEEKDAYS = get_args(Weekday)  # in date.weekday() order
_HORIZON_DAYS = 3660  # a schedule that opens on no day in ten years is a mistake, not a wait


def due_time(asked: datetime, sla: timedelta, hours: WorkingHours | None) -> datetime:
    if hours is None:
        return asked + sla
    zone = hours.tz
    left = sla
    day = asked.astimezone(zone).date()
    for _ in range(_HORIZON_DAYS):
        if _WEEKDAYS[day.weekday()] in hours.days and day not in hours.holidays:
            # In UTC: a day that changes its clock (DST) is as long as it really is.
            opens = datetime.combine(day, hours.start, zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, zone).astimezone(UTC)
            begin = max(opens, asked.astimezone(UTC))
            if begin < closes:
                if left <= closes - begin:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    raise ValueError(f"working hours open on no day within {_HORIZON_DAYS} days of {asked:%Y-%m-%d}")
