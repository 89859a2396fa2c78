"""Response metrics from the tickets and their events: what community teams are judged on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from handlers.actions import Action, NotifyStaff
from storage import Database
from storage.records import TicketRecord

COUNTED_OUT = frozenset({"dismissed", "suggested"})  # no answer needed, or the member has not chosen yet


@dataclass
class Metrics:
    questions: int = 0
    responded: int = 0
    by_bot: int = 0
    within_sla: int = 0
    first_response: list[timedelta] = field(default_factory=list)

    @property
    def response_rate(self) -> float:
        return self.responded / self.questions if self.questions else 0.0

    @property
    def sla_rate(self) -> float:
        return self.within_sla / self.questions if self.questions else 0.0

    @property
    def bot_share(self) -> float:
        return self.by_bot / self.responded if self.responded else 0.0

    def percentile(self, share: float) -> timedelta | None:
        times = sorted(self.first_response)
        if not times:
            return None
        return times[min(len(times) - 1, int(share * len(times)))]

    @property
    def median(self) -> timedelta | None:
        return median(self.first_response) if self.first_response else None

    def add(self, ticket: TicketRecord) -> None:
        self.questions += 1
        if ticket.first_response_at is None:
            return
        self.responded += 1
        self.by_bot += ticket.responder == "bot"
        delay = ticket.first_response_at - ticket.opened_at
        self.first_response.append(delay)
        self.within_sla += ticket.first_response_at <= ticket.due_at

    def line(self) -> str:
        return (
            f"{self.questions} questions · answered {self.response_rate:.0%} "
            f"({self.responded} − {self.questions - self.responded} unanswered = "
            f"{2 * self.responded - self.questions:+d}) · within SLA {self.sla_rate:.0%} · "
            f"first response median {_span(self.median)}, p90 {_span(self.percentile(0.9))} · "
            f"by the bot {self.bot_share:.0%}"
        )


@dataclass
class Report:
    total: Metrics
    per_chat: dict[str, Metrics]
    per_day: dict[str, Metrics]

    def text(self, title: str) -> str:
        lines = [title, self.total.line()]
        if len(self.per_chat) > 1:
            lines += ["Per chat:", *(f"  {chat}: {m.line()}" for chat, m in sorted(self.per_chat.items()))]
        lines += ["Per day:", *(f"  {day}: {m.line()}" for day, m in sorted(self.per_day.items()))]
        return "\n".join(lines)


def report(tickets: list[TicketRecord]) -> Report:
    total = Metrics()
    per_chat: dict[str, Metrics] = defaultdict(Metrics)
    per_day: dict[str, Metrics] = defaultdict(Metrics)
    for ticket in tickets:
        if ticket.state in COUNTED_OUT:
            continue
        for metrics in (total, per_chat[ticket.chat], per_day[ticket.opened_at.strftime("%Y-%m-%d")]):
            metrics.add(ticket)
    return Report(total, dict(per_chat), dict(per_day))


def _span(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h"


async def weekly_digest(db: Database, now: datetime) -> list[Action]:
    """The last seven days' metrics for the staff chat, once a week from Monday 09:00 UTC. The audit log
    remembers that it went out, so a restart neither repeats nor skips it."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    if now < monday:
        return []
    async with db.unit() as ledger:
        if await ledger.audit_entries(since=monday, kinds=("weekly_digest",), limit=1):
            return []
        result = report(await ledger.tickets_since(now - timedelta(days=7)))
        if not result.total.questions:
            return []  # a quiet week needs no message; the first question of the week brings the digest
        text = result.text(f"📊 The week in questions ({now - timedelta(days=7):%d.%m} – {now:%d.%m}):")
        await ledger.audit(now, "weekly_digest", text)
    return [NotifyStaff(text, None, "staff")]
