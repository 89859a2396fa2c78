"""Moderation of one message: verdict -> strike -> ladder step -> actions, recorded in one transaction.

A message's update claim, its strike, its sanction and its audit entry commit together, so a crash loses
nothing and a redelivered update is handled once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.actions import Action, Ban, Delete, NotifyStaff, Reply, Restrict
from handlers.cards import violation_card
from policies.compile import CompiledPolicy, CompiledRule
from policies.engine import Engine, Verdict
from policies.events import Event
from policies.flood import FloodWindow
from policies.ladder import LadderDecision, StrikeLike, decide
from storage import Database, Ledger

_SEVERITY = ("none", "delete", "warn", "mute", "ban")
PRUNE_EVERY = 1000  # remembered messages between two prunes of those older than the flood window


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict | None  # None for a duplicate update
    decision: LadderDecision | None = None
    actions: tuple[Action, ...] = ()
    pending: bool = False  # the ladder step waits for a moderator

    @property
    def duplicate(self) -> bool:
        return self.verdict is None

    @property
    def action(self) -> str:
        """The strongest thing done to the member: none, delete, warn, mute or ban."""
        done = {"none"}
        for action in self.actions:
            if isinstance(action, Ban):
                done.add("ban")
            elif isinstance(action, Restrict):
                done.add("mute")
            elif isinstance(action, Delete):
                done.add("delete")
        if self.decision and self.decision.step and self.decision.step.kind == "warn":
            done.add("warn")
        return max(done, key=_SEVERITY.index)

    @property
    def until(self) -> datetime | None:
        return next((a.until for a in self.actions if isinstance(a, Ban | Restrict)), None)

    def explain(self) -> str:
        if self.verdict is None:
            return "duplicate update: already handled"
        text = self.verdict.explain()
        decision = self.decision
        if decision is None:
            return text
        if decision.collapsed:
            return f"{text} · ladder: same incident as the last strike (collapsed), no new strike"
        step = decision.step.label() if decision.step else "none"
        tail = " (waits for staff confirmation)" if self.pending else ""
        return (
            f"{text} · ladder: active strikes {decision.active_before}→{decision.active_after} → {step}{tail}"
        )


class Moderation:
    def __init__(self, policy: CompiledPolicy, db: Database, flood: FloodWindow | None = None) -> None:
        self.db = db
        self.flood = flood if flood is not None else FloodWindow()
        self._remembered = 0
        self.use(policy)

    def use(self, policy: CompiledPolicy) -> None:
        """Swap in a new policy (a reload); strikes and flood windows carry over."""
        self.policy = policy
        self.engine = Engine(policy, self.flood)

    async def handle(self, event: Event) -> Outcome:
        if event.author.key is None and event.update_id is None:
            # A one-off sender (an offline classify line): nothing to remember, nothing to claim.
            return self._decide(event, self.engine.evaluate(event), [])[0]
        async with self.db.unit() as ledger:
            if event.update_id is not None and not await ledger.claim_update(
                event.platform, event.update_id, event.at
            ):
                return Outcome(None)
            return await self._record(ledger, event)

    async def _record(self, ledger: Ledger, event: Event) -> Outcome:
        member = event.author.key
        verdict = await self._evaluate_remembered(ledger, event)
        if not verdict.violation or member is None:
            return self._decide(event, verdict, [])[0]
        await ledger.upsert_member(member, event.at, event.author.name or None, event.author.username)
        lead = verdict.leading
        assert lead is not None
        strikes = await ledger.active_strikes(member, event.at) if verdict.enforced else []
        outcome, weight = self._decide(event, verdict, strikes)
        decision = outcome.decision
        sanction_id = None
        strike = None
        if decision and decision.collapsed:
            await ledger.extend_incident(strikes[-1].id, event.at)
        elif decision and weight:
            strike = await ledger.add_strike(
                member, event.chat, lead.rule.id, weight, event.at, decision.strike_expires, self.policy.hash
            )
            step = decision.step
            if step and step.kind != "warn":
                sanction = await ledger.add_sanction(
                    member,
                    event.chat,
                    step.kind,
                    event.at,
                    decision.until,
                    strike.id,
                    f"{lead.rule.id}: {step.label()}",
                    "pending" if outcome.pending else "active",
                )
                sanction_id = sanction.id
        await ledger.audit(
            event.at,
            "violation" if verdict.enforced else "shadow",
            outcome.explain(),
            member=member,
            chat=event.chat,
            rule=lead.rule.id,
            policy_hash=self.policy.hash,
            data={"message_id": event.message_id, "action": outcome.action, "sanction_id": sanction_id},
        )
        notify = outcome.actions[-1] if outcome.actions else None
        if isinstance(notify, NotifyStaff) and strike is not None:
            card = replace(notify, strike_id=strike.id, sanction_id=sanction_id)
            outcome = replace(outcome, actions=(*outcome.actions[:-1], card))
        return outcome

    async def _evaluate_remembered(self, ledger: Ledger, event: Event) -> Verdict:
        """The verdict, with the member's flood window as storage has it: a burst that began before a
        restart is still one burst, and the message is kept for the next process."""
        member = event.author.key
        if member is None:
            return self.engine.evaluate(event)
        flood = self.flood
        if not flood.knows(member):
            flood.restore(member, await ledger.recent_messages(member, event.at - flood.keep))
        before = flood.latest(member)
        verdict = self.engine.evaluate(event)
        latest = flood.latest(member)
        if latest is not None and latest is not before:  # the engine observed it (exempt members it does not)
            await ledger.remember_message(member, *latest)
            self._remembered += 1
            if self._remembered % PRUNE_EVERY == 0:
                await ledger.forget_messages_before(event.at - flood.keep)
        return verdict

    def _decide(self, event: Event, verdict: Verdict, strikes: list[StrikeLike]) -> tuple[Outcome, int]:
        """The ladder decision and the actions, without touching storage."""
        hit = verdict.enforced
        if hit is None:
            return Outcome(verdict), 0
        rule = hit.rule
        weight = sum(item.strike or 0 for item in rule.actions)
        ladder = self.policy.ladder_for(event.chat)
        decision = decide(ladder, strikes, weight, event.at) if weight else None
        pending = bool(decision and decision.step and decision.step.confirm == "staff")
        actions = _actions(self.policy, rule, event, decision, pending, verdict.explain(), hit.finding.burst)
        return Outcome(verdict, decision, tuple(actions), pending), weight


def _actions(
    policy: CompiledPolicy,
    rule: CompiledRule,
    event: Event,
    decision: LadderDecision | None,
    pending: bool,
    explanation: str,
    burst: tuple[str, ...],
) -> list[Action]:
    member = event.author.key or ""
    collapsed = bool(decision and decision.collapsed)
    # A step that waits for a moderator is not announced: staff may still reject it.
    step_text = "" if decision is None or collapsed or pending else _step_text(policy, decision)
    actions: list[Action] = []
    replied = False
    for item in rule.actions:
        if item.delete:
            # A flood goes as a whole; later messages of a collapsed burst only take themselves along.
            earlier = () if collapsed else burst
            actions.extend(Delete(event.chat, message_id) for message_id in (*earlier, event.message_id))
        elif item.reply and not collapsed:
            text = policy.templates.render(
                item.reply, member=member_name(event), rule=rule.spec.title, step=step_text
            )
            actions.append(Reply(event.chat, event.message_id, text, item.reply))
            replied = True
        elif item.restrict is not None:
            actions.append(Restrict(event.chat, member, event.at + item.restrict))
    step = decision.step if decision and not collapsed else None
    if step and step.kind != "warn" and not pending:
        if step.kind == "ban":
            actions.append(Ban(event.chat, member, decision.until if decision else None))
        else:
            actions.append(Restrict(event.chat, member, decision.until))  # type: ignore[arg-type,union-attr]
    if step and not replied:
        text = policy.templates.render(
            "rule_violation", member=member_name(event), rule=rule.spec.title, step=step_text
        )
        actions.append(Reply(event.chat, event.message_id, text, "rule_violation"))
    if (
        decision
        and not collapsed
        and (pending or decision.active_after >= policy.ladder_for(event.chat).notify_staff_from)
    ):
        until = decision.until if step and step.kind != "warn" else None
        status = "waits for your confirmation" if pending else "applied"
        card = violation_card(
            event, rule.spec.title, step.label() if step else "", until, explanation, status
        )
        actions.append(NotifyStaff(card, member or None, event.chat, pending=pending))
    return actions


def _step_text(policy: CompiledPolicy, decision: LadderDecision) -> str:
    step = decision.step
    if step is None:
        return ""
    if step.kind == "warn":
        return policy.templates.render("step_warn")
    if decision.forever:
        return policy.templates.render("step_ban_forever")
    until = decision.until.strftime("%d.%m.%Y %H:%M UTC") if decision.until else ""
    return policy.templates.render(f"step_{step.kind}", until=until)


def member_name(event: Event) -> str:
    if event.author.username:
        return "@" + event.author.username
    return event.author.name
