"""End-to-end speed of one `modbot run` process against the Bot API emulator, over HTTP on 127.0.0.1.

usage: python bench/telegram_e2e.py [--messages 2000] [--backlog-timeout 40] [--rate 20] [--duration 15]
                                    [--drain-timeout 20] [--skip-backlog] [--skip-rate] [--delete-only]

The real bot (long polling, updates handled one at a time, getUpdates with limit 100) moderates a supergroup
with the bundled policy. Members are many and each sends at most 3 messages, at most one of them a
violation, so neither the flood rule nor the ladder's collapsing shapes the load. About 17% of the messages
are violations (profanity, invite links, competitor ads, insults), the rest clean brand-community talk; the
last message of a phase is always a violation, and its deletion marks the phase's end.

Two phases, each with a fresh emulator, database and bot process, started (its deleteWebhook call) and
warmed up (one violation handled) before any clock runs:
  backlog  --messages queued up front, fetched 100 a getUpdates. Throughput: updates handled / (the bot's
           last deletion - the first getUpdates response carrying a bench update). Handling is sequential,
           so every update up to the last deleted message has been handled.
  steady   --rate messages a second for --duration seconds: deletion latency under a steady load.
Latency, per violation: from the getUpdates response that delivered its update to the deleteMessage (or
deleteMessages) call for its message, both as the emulator recorded them; p50, p95, p99 and max (in the
backlog it includes waiting behind the rest of its getUpdates batch of up to 100 updates). Also:
violations deleted vs expected, clean messages deleted, the longest pause in the bot's calls and the calls
per method. A phase that has not finished by its timeout reports what was done by then.

With the bundled policy each strike posts a warning into the group and a card into the staff chat, and the
bot paces posts at 20 a minute per chat (bot/telegram/throttle.py): these loads (~200 violations a minute
and more) show how it copes with that budget; the posts per chat and the longest pause in its calls tell.
--delete-only runs a copy of the policy whose rules only delete (no strike, so no warning and no card): the
pipeline without rate-limited posts. The bot is stopped with SIGTERM (SIGKILL 10 s later if still running).
Prints numbers; asserts nothing. Under 2 minutes with the defaults on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import CLEAN as ENGINE_CLEAN  # bench/ is on sys.path when this runs as a script
from modbot_emulators.telegram import BotApiEmulator, Call

GROUP, STAFF = -1001000000001, -1001000000002
MODERATOR = 103
WARMUP_MEMBER = 999_999
MODBOT = Path(sys.executable).parent / "modbot"
PER_MEMBER = 3
VIOLATION_SHARE = 0.17

CLEAN = [
    *ENGINE_CLEAN,  # the engine benchmark's messages, and more
    "Сколько стоит пакет интернета в Грузии?",
    "Перенесла номер к вам месяц назад, пока всё нравится",
    "Какой тариф лучше для ребёнка, чтобы без платных подписок?",
    "Не приходит смс с кодом от банка, что делать?",
    "Ваш сервис ужасен, третий день нет интернета!",
    "В метро на Таганской совсем не ловит 4G",
    "Можно ли перенести неиспользованные гигабайты на следующий месяц?",
    "Напишите @volna_help_bot, там отвечают",
    "Поддержка ответила за 5 минут, респект",
    "Раздаю интернет с телефона на ноутбук, скорость упала вдвое, это ограничение тарифа?",
    "Когда будет 5G в Казани?",
    "Обещали перезвонить вчера, так никто и не позвонил",
    "Как отключить автоплатёж?",
    "Подскажите, роуминг в Казахстане включается автоматически?",
    "Тупая система списаний, сделайте нормально",
    "Раньше был в Билайне, там та же проблема",
    "Вот новость: https://www.rbc.ru/technology/123",
    "Это просто идиотизм, третий день без связи",
]
VIOLATIONS = [
    "ну ты 6лять даёшь, опять связь пропала",
    "заходи t.me/+AbCdEf123",
    "Переходите на МегаФон, там дешевле и связь лучше",
    "Зaрaбoтoк от 100$ в день, без вложений, пиши в лс",
    "ты идиот? читай правила",
    "xуй вам а не интернет",
    "Переходите на Т2, там в два раза дешевле",
    "вы заебали уже со своим роумингом",
    "Продам красивые номера, пишите в личку",
    "опять п***ц с роумингом",
    "У МегаФона тариф дешевле и связь лучше",
    "this is fucking ridiculous",
]


@dataclass(frozen=True)
class Planned:
    member: int
    text: str
    violation: bool


@dataclass
class Phase:
    name: str
    plan: list[Planned]
    first_call: int = 0  # index into emu.calls when the phase began
    last_call: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)  # the messages as the emulator posted them
    backlog: bool = True
    finished: bool = False
    ended_at: float = 0.0  # emulator clock when the phase stopped waiting


def make_plan(count: int, first_member: int, rng: random.Random) -> list[Planned]:
    """`count` messages from fresh members, at most PER_MEMBER each and at most one violation each, with
    distinct texts per member; the last one a violation."""
    violations = max(1, round(count * VIOLATION_SHARE))
    members = list(range(first_member, first_member + max(violations, math.ceil(count / PER_MEMBER * 1.25))))
    violators = set(members[:violations])
    spare = [m for m in members for _ in range(PER_MEMBER - (m in violators))]
    chosen = [(m, False) for m in rng.sample(spare, count - violations)]
    chosen += [(m, True) for m in sorted(violators)]
    last = chosen.pop()
    rng.shuffle(chosen)
    chosen.append(last)
    texts: dict[int, set[str]] = {}
    plan = []
    for member, bad in chosen:
        pool = [t for t in (VIOLATIONS if bad else CLEAN) if t not in texts.setdefault(member, set())]
        text = rng.choice(pool)
        texts[member].add(text)
        plan.append(Planned(member, text, bad))
    return plan


def build_world(emu: BotApiEmulator, members: Iterable[int]) -> None:
    emu.add_user(MODERATOR, "Мария", "maria_mod")
    emu.add_chat(GROUP, "supergroup", "Волна: сообщество")
    emu.add_chat(STAFF, "supergroup", "Волна: модераторы")
    emu.set_member(GROUP, emu.bot_id, "administrator")
    emu.set_member(STAFF, MODERATOR, "administrator")
    emu.set_member(STAFF, emu.bot_id, "administrator")
    for user in (*members, WARMUP_MEMBER):
        emu.add_user(user, f"Абонент {user}", f"user{user}")
        emu.set_member(GROUP, user)


def deleting(message_id: int) -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        if not call.ok or call.params.get("chat_id") != GROUP:
            return False
        if call.method == "deleteMessage":
            return call.params.get("message_id") == message_id
        return message_id in (call.params.get("message_ids") or ())

    return match


async def wait_deleted(emu: BotApiEmulator, message_id: int, timeout: float, since: int) -> bool:
    match = deleting(message_id)
    waits = [
        asyncio.ensure_future(emu.wait_for(method, match, timeout, since=since))
        for method in ("deleteMessage", "deleteMessages")
    ]
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return any(task.exception() is None for task in done)


class BotProcess:
    def __init__(self, emu: BotApiEmulator, folder: Path, policy: Path | None = None) -> None:
        self.emu = emu
        self.folder = folder
        self.policy = policy
        self.log = folder / "modbot.stderr"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 60) -> float:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "TELEGRAM_BOT_TOKEN": self.emu.token,
            "TELEGRAM_API_BASE": str(self.emu.base_url),
            "STAFF_CHAT_ID": str(STAFF),
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.folder / 'x.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
        if self.policy is not None:
            env["POLICY_FILE"] = str(self.policy)
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                str(MODBOT), "run", env=env, cwd=self.folder, stdout=log, stderr=log
            )
        ready = asyncio.ensure_future(self.emu.wait_for("deleteWebhook", timeout=timeout, since=0))
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait([ready, exited], return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await asyncio.gather(ready, return_exceptions=True)
            raise RuntimeError(f"modbot run exited with code {self.proc.returncode} before polling")
        exited.cancel()
        await asyncio.gather(exited, return_exceptions=True)
        ready.result()  # raises TimeoutError if it never got ready
        return time.perf_counter() - started

    async def stop(self, grace: float = 10) -> str:
        """SIGTERM, then SIGKILL after `grace` seconds; says how it ended."""
        if self.proc is None:
            return "never started"
        if self.proc.returncode is not None:
            return f"had already exited with code {self.proc.returncode}"
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return f"still running {grace:g} s after SIGTERM: killed"
        return f"exited with code {self.proc.returncode} {time.perf_counter() - started:.1f} s after SIGTERM"

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


async def warm_up(emu: BotApiEmulator, delete_only: bool) -> None:
    """One violation end to end: admin caches, the database and every HTTP connection are warm."""
    since = len(emu.calls)
    message = emu.send_message(GROUP, WARMUP_MEMBER, VIOLATIONS[0])
    await emu.wait_for("deleteMessage", deleting(message["message_id"]), timeout=30, since=since)
    if not delete_only:  # its staff card, the last of its actions, if it comes soon
        with contextlib.suppress(TimeoutError):
            await emu.wait_for("sendMessage", lambda c: c.params.get("chat_id") == STAFF, 5, since=since)


async def run_backlog(emu: BotApiEmulator, phase: Phase, timeout: float) -> None:
    phase.first_call = len(emu.calls)
    now = int(emu.now())
    phase.sent = [emu.send_message(GROUP, p.member, p.text, date=now) for p in phase.plan]
    last = phase.sent[-1]["message_id"]
    phase.finished = await wait_deleted(emu, last, timeout, phase.first_call)
    phase.last_call = len(emu.calls)
    phase.ended_at = emu.now()


async def run_steady(emu: BotApiEmulator, phase: Phase, rate: float, drain: float) -> None:
    phase.first_call = len(emu.calls)
    start = time.perf_counter()
    for index, planned in enumerate(phase.plan):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        phase.sent.append(emu.send_message(GROUP, planned.member, planned.text))
    last = phase.sent[-1]["message_id"]
    phase.finished = await wait_deleted(emu, last, drain, phase.first_call)
    phase.last_call = len(emu.calls)
    phase.ended_at = emu.now()


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def report(emu: BotApiEmulator, phase: Phase) -> None:
    calls = emu.calls[phase.first_call : phase.last_call]
    delivered: dict[int, float] = {}  # message_id -> when the getUpdates response carrying it was sent
    redelivered = 0
    for call in calls:
        if call.method != "getUpdates" or not call.ok:
            continue
        for update in call.result_or_error:
            message = update.get("message")
            if not message or message["chat"]["id"] != GROUP:
                continue
            if message["message_id"] in delivered:
                redelivered += 1
            else:
                delivered[message["message_id"]] = call.at
    deleted: dict[int, float] = {}
    for call in calls:
        if not call.ok or call.params.get("chat_id") != GROUP:
            continue
        if call.method == "deleteMessage":
            ids = [call.params.get("message_id")]
        elif call.method == "deleteMessages":
            ids = list(call.params.get("message_ids") or ())
        else:
            continue
        for message_id in ids:
            deleted.setdefault(message_id, call.at)

    ids = [m["message_id"] for m in phase.sent]
    bad = [m for m, p in zip(ids, phase.plan, strict=True) if p.violation]
    good = [m for m, p in zip(ids, phase.plan, strict=True) if not p.violation]
    latencies = sorted((deleted[m] - delivered[m]) * 1000 for m in bad if m in deleted and m in delivered)
    mine = [delivered[m] for m in ids if m in delivered]

    print(f"{len(ids)} messages, {len(bad)} violations, {len({p.member for p in phase.plan})} members")
    handled_upto = max((i for i, m in enumerate(ids) if m in deleted), default=-1)
    if mine and handled_upto >= 0:
        elapsed = deleted[ids[handled_upto]] - min(mine)
        state = "all handled" if phase.finished else f"TIMED OUT: {handled_upto + 1} of {len(ids)} handled"
        what = "throughput" if phase.backlog else "handled (no more than arrived: not a capacity)"
        print(
            f"{what}: {handled_upto + 1} updates in {elapsed:.2f} s = "
            f"{(handled_upto + 1) / max(elapsed, 1e-9):,.1f} updates/s ({state}; "
            "first bench getUpdates response -> last deletion)"
        )
    else:
        print("throughput: nothing was handled")
    if latencies:
        print(
            f"deletion latency (getUpdates response -> deleteMessage), ms: "
            f"p50 {percentile(latencies, 0.50):,.1f}  p95 {percentile(latencies, 0.95):,.1f}  "
            f"p99 {percentile(latencies, 0.99):,.1f}  max {latencies[-1]:,.1f}  (n={len(latencies)})"
        )
    missing = [m for m in bad if m not in deleted]
    print(f"violations deleted: {len(bad) - len(missing)} of {len(bad)} expected")
    if missing:
        waiting = [phase.ended_at - delivered[m] for m in missing if m in delivered]
        print(
            f"  not deleted by the end of the phase: {len(missing)} (message_ids {missing[:8]}"
            f"{' ...' if len(missing) > 8 else ''}); {len(waiting)} of them delivered to the bot"
            + (f", the oldest {max(waiting):.1f} s before" if waiting else "")
        )
    wrongly = [m for m in good if m in deleted]
    print(f"clean messages deleted: {len(wrongly)}" + (f" (message_ids {wrongly[:10]})" if wrongly else ""))
    print(f"updates delivered: {len(delivered)} of {len(ids)}, delivered again: {redelivered}")
    reactions = [c.at for c in calls if c.method != "getUpdates"]
    if mine:
        gaps = [b - a for a, b in itertools.pairwise([min(mine), *reactions, phase.ended_at])]
        print(f"longest pause in bot calls (getUpdates aside, up to the end): {max(gaps):.2f} s")
    per_method = Counter(c.method for c in calls)
    failed = Counter(c.method for c in calls if not c.ok)
    sends = Counter(c.params.get("chat_id") for c in calls if c.method == "sendMessage")
    print(
        "calls: "
        + ", ".join(
            f"{method} {count}" + (f" ({failed[method]} failed)" if failed[method] else "")
            for method, count in sorted(per_method.items())
        )
    )
    print(
        f"posts (sendMessage) by chat: group {sends[GROUP]}, staff {sends[STAFF]}, for {len(bad)} violations"
    )
    for call in calls:
        if not call.ok:
            print(f"  failed {call.method}: {call.result_or_error.get('description')}")


def delete_only_policy(folder: Path) -> Path:
    """A copy of the bundled policy whose rules only delete: no strike, so no warning and no staff card."""
    from bot.policy_commands import copy_default_policy

    policy = copy_default_policy(folder / "policy")
    text = policy.read_text()
    for old in ("then: [remove_and_explain, {strike: 1}]", "then: [delete, {strike: 1}]"):
        text = text.replace(old, "then: [delete]")
    policy.write_text(text)
    return policy


async def run_phase(phase: Phase, args: argparse.Namespace, run: Callable[[BotApiEmulator], Any]) -> bool:
    """A fresh emulator, database and bot process for one phase: nothing left over from another phase
    (queued updates, the bot's rate-limit windows, strikes) skews it. Returns False if anything failed."""
    emu = BotApiEmulator()
    await emu.start()
    build_world(emu, sorted({p.member for p in phase.plan}))
    ok = False
    with tempfile.TemporaryDirectory(prefix="modbot-bench-") as folder:
        policy = delete_only_policy(Path(folder)) if args.delete_only else None
        bot = BotProcess(emu, Path(folder), policy)
        try:
            ready = await bot.start()
            t0 = time.perf_counter()
            await warm_up(emu, args.delete_only)
            print(
                f"\n== {phase.name}\nbot ready in {ready:.1f} s (its deleteWebhook call); "
                f"warm-up violation handled in {time.perf_counter() - t0:.2f} s"
            )
            await run(emu)
            report(emu, phase)
            ok = phase.finished
        except Exception as exc:
            print(f"bench failed: {exc!r}")
        finally:
            ended = await bot.stop()
            await emu.stop()
            log = bot.tail()
            print(f"bot {ended}; its stderr: {len(log.splitlines())} lines")
            if log and (not ok or "Received SIGTERM" not in log or len(log.splitlines()) > 1):
                print("--- tail of the bot's stderr ---\n" + log)
    return ok


async def main(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    ok = True
    policy = "delete-only copy of the bundled policy" if args.delete_only else "bundled policy"
    print(f"modbot run against the Bot API emulator, {policy}; one bot process per phase")
    if not args.skip_backlog:
        backlog = Phase(f"backlog of {args.messages} messages", make_plan(args.messages, 1_000_000, rng))
        ok &= await run_phase(backlog, args, lambda emu: run_backlog(emu, backlog, args.backlog_timeout))
    if not args.skip_rate:
        count = max(1, round(args.rate * args.duration))
        name = f"steady {args.rate:g} msg/s for {args.duration:g} s"
        steady = Phase(name, make_plan(count, 2_000_000, rng), backlog=False)
        ok &= await run_phase(
            steady, args, lambda emu: run_steady(emu, steady, args.rate, args.drain_timeout)
        )
    return 0 if ok else 1


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="backlog phase: messages queued up front")
    parser.add_argument("--rate", type=float, default=20.0, help="steady phase: messages a second")
    parser.add_argument("--duration", type=float, default=15.0, help="steady phase: seconds of sending")
    parser.add_argument("--backlog-timeout", type=float, default=40.0, help="seconds")
    parser.add_argument(
        "--drain-timeout", type=float, default=20.0, help="seconds after the last steady send"
    )
    parser.add_argument("--skip-backlog", action="store_true")
    parser.add_argument("--skip-rate", action="store_true")
    parser.add_argument(
        "--delete-only",
        action="store_true",
        help="rules only delete (no strike, warning or staff card): the pipeline without rate-limited sends",
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
