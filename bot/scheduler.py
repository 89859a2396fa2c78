"""APScheduler for the bot's timed work: the sweep that ends timed sanctions and the clean-up of warnings.

The sweep needs no persisted job store: the sanctions table is the schedule, and the first sweep after a
restart catches up on everything that came due meanwhile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

Job = Callable[[], Awaitable[None]]


class Scheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def at(self, when: datetime, job: Job) -> None:
        self._scheduler.add_job(job, "date", run_date=when, misfire_grace_time=None)

    def every(self, seconds: float, job: Job) -> None:
        self._scheduler.add_job(
            job, "interval", seconds=seconds, next_run_time=datetime.now().astimezone(), coalesce=True
        )
