"""Moderators' commands and card buttons, platform-neutral: a command comes in, a reply for the staff chat
and the actions to execute come out. Every decision is recorded in the audit log with who made it.

The adapter decides who is a moderator; everything here trusts the `actor` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.actions import Action, Ban, Delete, Reply, Restrict, Unban, Unmute
from handlers.cards import TIME_FORMAT, member_line, until_text
from handlers.moderation import Moderation
from policies.compile import CompiledPolicy
from policies.durations import parse_duration
from policies.ladder import decide
from policies.yamlsource import PolicyError
from storage import Ledger

if TYPE_CHECKING:
    from handlers.tickets import TicketCommands

STAFF_RULE = "staff"  # the rule id of a strike a moderator gave by hand
KEY = re.compile(r"\b(tg|vk):(-?\d+)\b")

HELP = """Commands (a member is an id, tg:123, vk:123, an @username seen before, or a reply to a card):
/warn <member> — a strike on the ladder, with its step
/mute <member> <duration> — e.g. /mute 123 2h
/ban <member> [7d|30d|forever] — forever by default
/unban <member> — lift bans and mutes
/pardon <member> — remove the latest strike
/history <member> — strikes and sanctions
/stats — actions per rule and chat, 24 h and 7 d
/reload — validate and swap in the policy files
/help — this list
In a group, reply /warn or /ban to a member's message."""

USAGE = {
    "warn": "/warn <member>",
    "mute": "/mute <member> <duration>, e.g. /mute 123 2h",
    "ban": "/ban <member> [7d|30d|forever]",
    "unban": "/unban <member>",
    "pardon": "/pardon <member>",
    "history": "/history <member>",
}


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # without the slash
    args: tuple[str, ...]
    actor: str  # the moderator's key
    at: datetime
    platform: str  # bare numeric ids belong to this platform
    target: str | None = None  # a member key taken from a replied-to card or message
    group_message: tuple[str, str] | None = None  # (chat, message id) when replied to in a group
    ticket: int | None = None  # the ticket whose card was replied to


@dataclass(frozen=True, slots=True)
class StaffReply:
    text: str
    actions: tuple[Action, ...] = ()


class UsageError(ValueError):
    """A one-line answer for the moderator, never a traceback."""


class Staff:
    def __init__(
        self,
        moderation: Moderation,
        load_policy: Callable[[], CompiledPolicy],
        tickets: TicketCommands | None = None,
    ) -> None:
        self.moderation = moderation
        self.load_policy = load_policy
        self.tickets = tickets

    async def run(self, command: Command) -> StaffReply:
        if self.tickets is not None and self.tickets.handles(command.name):
            return await self.tickets.run(command)
        handler = getattr(self, f"_{command.name}", None)
        if handler is None or command.name.startswith("_"):
            return StaffReply(f"unknown command /{command.name}; /help lists them")
        try:
            return await handler(command)
        except UsageError as exc:
            return StaffReply(str(exc))

    async def _help(self, _: Command) -> StaffReply:
        return StaffReply(HELP + ("\n\n" + self.tickets.HELP if self.tickets else ""))

    async def _reload(self, command: Command) -> StaffReply:
        """The policy, its templates and its knowledge base validate together, or nothing changes."""
        try:
            policy = self.load_policy()
            desk = self.tickets.prepare(policy) if self.tickets else None
        except PolicyError as exc:
            await self._audit_only(command, "reload_failed", str(exc))
            return StaffReply(f"❌ reload failed, the running policy stays:\n{exc}")
        self.moderation.use(policy)
        if self.tickets and desk:
            self.tickets.escalation.use(policy, desk)
        await self._audit_only(command, "reload", f"policy {policy.hash}")
        return StaffReply(f"✅ policy reloaded: {len(policy.rules)} rules, hash {policy.hash[:12]}")

    async def _stats(self, command: Command) -> StaffReply:
        async with self.moderation.db.unit() as ledger:
            day = await ledger.counts_by_rule(command.at - timedelta(days=1), kind="violation")
            week = await ledger.counts_by_rule(command.at - timedelta(days=7), kind="violation")
        lines = (
            ["Violations per rule and chat (24 h / 7 d):"] if week else ["No violations in the last 7 days."]
        )
        for (rule, chat), count in sorted(week.items(), key=lambda item: -item[1]):
            lines.append(f"{rule} · {chat}: {day.get((rule, chat), 0)} / {count}")
        if week:
            lines.append(f"Total: {sum(day.values())} / {sum(week.values())}")
        if self.tickets is not None:
            lines.append(await self.tickets.stats(command.at))
        return StaffReply("\n".join(lines))

    async def _history(self, command: Command) -> StaffReply:
        async with self.moderation.db.unit() as ledger:
            member = await self._member(ledger, command)
            record = await ledger.find_member(member)
            strikes = await ledger.strike_history(member)
            sanctions = await ledger.member_sanctions(member)
        name = member_line(member, record.display_name, record.username) if record else member
        if not strikes and not sanctions:
            return StaffReply(f"{name}: no strikes, no sanctions.")
        lines = [f"{name}:"]
        for s in strikes:
            state = "active" if s.active_at(command.at) else "pardoned" if s.pardoned_at else "expired"
            lines.append(f"strike {s.at.strftime(TIME_FORMAT)} · {s.rule} · ×{s.violations} · {state}")
        for s in sanctions:
            lines.append(
                f"{s.kind} {s.at.strftime(TIME_FORMAT)} · {until_text(s.kind, s.until)} · {s.status}"
            )
        return StaffReply("\n".join(lines))

    async def _pardon(self, command: Command) -> StaffReply:
        async with self.moderation.db.unit() as ledger:
            member = await self._member(ledger, command)
            strike = await ledger.pardon_strike(member, command.actor, "pardon command", command.at)
            if strike is None:
                return StaffReply(f"{member} has no active strike.")
            await ledger.audit(
                command.at,
                "pardon",
                f"strike {strike.id} ({strike.rule}) pardoned",
                member=member,
                rule=strike.rule,
                actor=command.actor,
            )
        return StaffReply(f"✅ strike for {strike.rule} of {member} pardoned by {command.actor}")

    async def _unban(self, command: Command) -> StaffReply:
        async with self.moderation.db.unit() as ledger:
            member = await self._member(ledger, command)
            lifted = await ledger.lift_sanctions(member, command.actor, command.at)
            groups = await ledger.chats_of_kind(_platform(member), "group")
            await ledger.audit(
                command.at, "unban", f"{len(lifted)} sanctions lifted", member=member, actor=command.actor
            )
        actions: list[Action] = [Unban(chat, member) for chat in groups]
        actions += [Unmute(chat, member) for chat in groups]
        return StaffReply(
            f"✅ {member} unbanned and unmuted in {_chats(len(groups))} by {command.actor}", tuple(actions)
        )

    async def _ban(self, command: Command) -> StaffReply:
        length = _duration_arg(command, default="forever")
        return await self._sanction(command, "ban", length)

    async def _mute(self, command: Command) -> StaffReply:
        if len(command.args) < (1 if command.target else 2):
            raise UsageError(f"usage: {USAGE['mute']}")
        length = _duration_arg(command, default=None)
        if length is None:
            raise UsageError("a mute needs an end: " + USAGE["mute"])
        return await self._sanction(command, "mute", length)

    async def _sanction(self, command: Command, kind: str, length: timedelta | None) -> StaffReply:
        until = None if length is None else command.at + length
        async with self.moderation.db.unit() as ledger:
            member = await self._member(ledger, command)
            groups = await ledger.chats_of_kind(_platform(member), "group")
            await ledger.add_sanction(
                member,
                command.group_message[0] if command.group_message else "*",
                kind,
                command.at,
                until,
                None,
                f"/{command.name} by {command.actor}",
            )
            await ledger.audit(
                command.at,
                kind,
                f"/{command.name} {until_text(kind, until)}",
                member=member,
                actor=command.actor,
                rule=STAFF_RULE,
            )
        action = Ban if kind == "ban" else Restrict
        actions: list[Action] = [
            *self._clean_group(command),
            *(action(chat, member, until) for chat in groups),
        ]
        return StaffReply(
            f"✅ {member}: {kind} {until_text(kind, until)} in {_chats(len(groups))}, by {command.actor}",
            tuple(actions),
        )

    async def _warn(self, command: Command) -> StaffReply:
        policy = self.moderation.policy
        async with self.moderation.db.unit() as ledger:
            member = await self._member(ledger, command)
            chat = command.group_message[0] if command.group_message else "*"
            ladder = policy.ladder_for(chat)
            strikes = await ledger.active_strikes(member, command.at)
            # A moderator's warning is always its own incident: no collapsing into a recent strike.
            decision = decide(
                ladder.model_copy(update={"collapse_within": timedelta(0)}), strikes, 1, command.at
            )
            strike = await ledger.add_strike(
                member, chat, STAFF_RULE, 1, command.at, decision.strike_expires, policy.hash
            )
            step = decision.step
            label = step.label() if step else "none"
            groups = await ledger.chats_of_kind(_platform(member), "group")
            if step and step.kind != "warn":
                await ledger.add_sanction(
                    member,
                    chat,
                    step.kind,
                    command.at,
                    decision.until,
                    strike.id,
                    f"/warn by {command.actor}: {label}",
                )
            await ledger.audit(
                command.at,
                "warn",
                f"/warn: strikes {decision.active_after} → {label}",
                member=member,
                chat=chat,
                rule=STAFF_RULE,
                actor=command.actor,
            )
        actions: list[Action] = list(self._clean_group(command))
        if step and step.kind == "ban":
            actions += [Ban(g, member, decision.until) for g in groups]
        elif step and step.kind == "mute" and decision.until:
            actions += [Restrict(g, member, decision.until) for g in groups]
        if command.group_message:
            chat = command.group_message[0]
            text = policy.templates.render("staff_warning", step=_step_text(policy, label, decision.until))
            actions.append(Reply(chat, None, text, "staff_warning"))
        return StaffReply(
            f"✅ {member} warned by {command.actor}: {decision.active_after} strikes → {label}",
            tuple(actions),
        )

    async def button(self, kind: str, member: str, ref: int | None, actor: str, at: datetime) -> StaffReply:
        """A card's button: `undo` (lift the sanctions and pardon the strike), `pardon` (the strike only),
        `forever` (a permanent ban); on a step that waits for staff, `confirm` or `reject` it. `ref` is the
        strike id, or the sanction id for confirm / reject. The reply text is appended to the card."""
        if kind in ("confirm", "reject"):
            return await self._decide_pending(kind, member, ref, actor, at)
        strike_id = ref
        if kind == "forever":
            return await self._sanction(Command("ban", (), actor, at, _platform(member), member), "ban", None)
        async with self.moderation.db.unit() as ledger:
            strike = await ledger.pardon_strike(member, actor, f"{kind} button", at, strike_id)
            lifted = await ledger.lift_sanctions(member, actor, at) if kind == "undo" else []
            groups = await ledger.chats_of_kind(_platform(member), "group") if lifted else []
            await ledger.audit(
                at,
                kind,
                f"strike {strike_id} pardoned, {len(lifted)} sanctions lifted",
                member=member,
                actor=actor,
                rule=strike.rule if strike else None,
            )
        actions: list[Action] = []
        for sanction in lifted:
            lift = Unban if sanction.kind == "ban" else Unmute
            actions += [lift(chat, member) for chat in groups]
        done = "undone" if kind == "undo" else "pardoned"
        if strike is None and not lifted:
            return StaffReply(f"— nothing to {kind}: already pardoned or lifted ({actor})")
        return StaffReply(f"— {done} by {actor}", tuple(dict.fromkeys(actions)))

    async def _decide_pending(
        self, kind: str, member: str, sanction_id: int | None, actor: str, at: datetime
    ) -> StaffReply:
        async with self.moderation.db.unit() as ledger:
            pending = next((p for p in await ledger.pending_sanctions() if p.id == sanction_id), None)
            if pending is None or pending.member != member:
                return StaffReply(f"— already decided ({actor})")
            status = "active" if kind == "confirm" else "rejected"
            await ledger.decide_sanction(pending.id, status, actor, at)
            groups = await ledger.chats_of_kind(_platform(member), "group")
            await ledger.audit(
                at,
                kind,
                f"{pending.kind} {until_text(pending.kind, pending.until)}: {status}",
                member=member,
                actor=actor,
            )
        if kind == "reject":
            return StaffReply(f"— rejected by {actor}; the strike stays on record")
        action = Ban if pending.kind == "ban" else Restrict
        if pending.kind == "mute" and pending.until is None:
            return StaffReply(f"— confirmed by {actor}, but a mute needs an end: use /mute")
        return StaffReply(f"— confirmed by {actor}", tuple(action(g, member, pending.until) for g in groups))

    def _clean_group(self, command: Command) -> tuple[Action, ...]:
        """A command replied to a member's message in a group removes that message."""
        if command.group_message is None:
            return ()
        return (Delete(*command.group_message),)

    async def _member(self, ledger: Ledger, command: Command) -> str:
        ref = command.args[0] if command.args and not command.target else command.target
        if not ref:
            raise UsageError(f"usage: {USAGE.get(command.name, '/help')}")
        if ref.startswith("@"):
            record = await ledger.find_member(ref)
            if record is None:
                raise UsageError(f"{ref} has not been seen in any chat; use the member's id")
            return record.key
        if KEY.fullmatch(ref):
            return ref
        if re.fullmatch(r"-?\d+", ref):
            return f"{command.platform}:{ref}"
        raise UsageError(f"{ref!r} is not a member; usage: {USAGE.get(command.name, '/help')}")

    async def _audit_only(self, command: Command, kind: str, text: str) -> None:
        async with self.moderation.db.unit() as ledger:
            await ledger.audit(command.at, kind, text, actor=command.actor)


def _duration_arg(command: Command, default: str | None) -> timedelta | None:
    """The duration after the member (or the first argument when the member is a replied-to card)."""
    args = command.args if command.target else command.args[1:]
    raw = args[0] if args else default
    if raw is None or raw == "forever":
        return None
    try:
        return parse_duration(raw)
    except ValueError:
        raise UsageError(
            f"{raw!r} is not a duration (10m, 2h, 7d, forever); usage: {USAGE[command.name]}"
        ) from None


def _chats(count: int) -> str:
    return f"{count} chat" if count == 1 else f"{count} chats"


def _platform(member: str) -> str:
    return member.partition(":")[0]


def _step_text(policy: CompiledPolicy, label: str, until: datetime | None) -> str:
    if label.startswith("ban") and until is None:
        return policy.templates.render("step_ban_forever")
    if label.startswith(("ban", "mute")) and until is not None:
        return policy.templates.render(f"step_{label.split()[0]}", until=until.strftime(TIME_FORMAT))
    return policy.templates.render("step_warn")
