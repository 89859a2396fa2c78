"""`modbot report`: the team's response metrics from the database, in the shell, with an optional chart of
daily volume and response times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from handlers.reports import Report, report
from policies.durations import parse_duration
from storage import Database


async def print_report(url: str, since: str, png: Path | None) -> int:
    now = datetime.now(UTC)
    start = now - parse_duration(since)
    db = await Database.open(url)
    try:
        async with db.unit() as ledger:
            result = report(await ledger.tickets_since(start))
    finally:
        await db.close()
    print(result.text(f"Questions and tickets, {start:%d.%m.%Y} – {now:%d.%m.%Y}:"))
    if png is not None:
        draw(result, png)
        print(f"chart: {png}")
    return 0


def draw(result: Report, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    days = sorted(result.per_day)
    volume = [result.per_day[d].questions for d in days]
    answered = [result.per_day[d].responded for d in days]
    median_h = [_hours(result.per_day[d].median) for d in days]
    figure, volume_axis = pyplot.subplots(figsize=(9, 4))
    volume_axis.bar(days, volume, color="#c8d6e5", label="questions")
    volume_axis.bar(days, answered, color="#54a0ff", label="answered")
    volume_axis.set_ylabel("questions per day")
    time_axis = volume_axis.twinx()
    time_axis.plot(days, median_h, color="#ee5253", marker="o", label="median first response, h")
    time_axis.set_ylabel("hours")
    figure.legend(loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    pyplot.close(figure)


def _hours(delta: timedelta | None) -> float:
    return delta.total_seconds() / 3600 if delta is not None else 0.0
