"""`modbot policy test`: the example cases a policy carries (messages each rule must and must not match)
and its scenarios, which move time forward through the ladder, bursts, pardons and expiry. Pure: strikes
are kept in memory here, exactly as the ladder sees them from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

from policies.compile import CompiledPolicy
from policies.durations import parse_duration
from policies.engine import Engine
from policies.events import Author, ChatKind, Event, Role
from policies.flood import FloodWindow
from policies.ladder import decide, is_active
from policies.schema import Case, Scenario
from policies.yamlsource import YamlDocument, load_yaml

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Failure:
    where: str  # file:line:col
    path: str
    message: str

    def __str__(self) -> str:
        return f"FAIL {self.where}  {self.path}: {self.message}"


@dataclass
class _Strike:
    at: datetime
    weight: int
    expires_at: datetime | None
    pardoned_at: datetime | None = None


def run_policy_tests(policy: CompiledPolicy) -> tuple[int, list[Failure]]:
    """(cases run, failures)."""
    doc = load_yaml(policy.path, policy.display)
    failures: list[Failure] = []
    runs = 0
    for index, rule in enumerate(policy.spec.rules):
        for kind in ("match", "no_match"):
            for position, case in enumerate(getattr(rule.tests, kind)):
                runs += 1
                problem = _check_case(policy, rule.id, case, kind == "match")
                if problem:
                    failures.append(_failure(doc, ("rules", index, "tests", kind, position), problem))
    for index, scenario in enumerate(policy.spec.scenarios):
        runs += 1
        failures.extend(_run_scenario(policy, doc, index, scenario))
    return runs, failures


def _failure(doc: YamlDocument, loc: tuple, message: str) -> Failure:
    problem = doc.problem(loc, message)
    return Failure(f"{problem.file}:{problem.line}:{problem.col}", problem.path, message)


def _event(text: str, role: Role, chat_kind: ChatKind, at: datetime, user: str | None, chat: str) -> Event:
    author = Author(user, "test", role=role)
    return Event("test", chat, chat_kind, "1", author, text, at)


def _check_case(policy: CompiledPolicy, rule_id: str, case: Case, should_match: bool) -> str | None:
    engine = Engine(policy, FloodWindow())
    verdict = engine.evaluate(_event(case.text, case.as_, case.chat_kind, _EPOCH, None, "test:chat"))
    hit = next((h for h in verdict.hits if h.rule.id == rule_id and h.mode != "exempt"), None)
    if not should_match:
        if hit is None:
            return None
        return f"matched {case.text!r}: {hit.finding.explain(case.text)} — add the word to an allow list?"
    if hit is None:
        why = f" ({verdict.exempt})" if verdict.exempt else ""
        return f"did not match {case.text!r}{why}"
    quotes = hit.finding.quotes(case.text)
    missing = [s for s in case.spans or () if s not in quotes]
    if missing:
        return f"{case.text!r}: expected span(s) {missing}, found {quotes}"
    return None


def _run_scenario(policy: CompiledPolicy, doc: YamlDocument, index: int, scenario: Scenario) -> list[Failure]:
    engine = Engine(policy, FloodWindow())
    strikes: dict[str, list[_Strike]] = {}
    failures = []
    now = _EPOCH
    message_ids = count(1)
    for position, step in enumerate(scenario.steps):
        loc = ("scenarios", index, "steps", position)
        now = now + parse_duration(step.at[1:]) if step.at.startswith("+") else _parse_time(step.at)
        mine = strikes.setdefault(step.user, [])
        if step.pardon:
            active = [s for s in mine if is_active(s, now)]
            if active:
                active[-1].pardoned_at = now
        event = _event(step.text, step.as_, ChatKind.GROUP, now, step.user, step.chat)
        event = Event(
            event.platform,
            event.chat,
            event.chat_kind,
            str(next(message_ids)),
            event.author,
            event.text,
            event.at,
        )
        verdict = engine.evaluate(event)
        got_rule = verdict.enforced.rule.id if verdict.enforced else None
        decision = None
        if verdict.enforced:
            weight = sum(a.strike or 0 for a in verdict.enforced.rule.actions)
            ladder = policy.ladder_for(step.chat)
            decision = decide(ladder, mine, weight, now) if weight else None
            if decision and not decision.collapsed:
                mine.append(_Strike(now, weight, decision.strike_expires))
        expect = step.expect
        problems = []
        if expect.rule is not None and expect.rule != got_rule:
            problems.append(f"expected rule {expect.rule}, got {got_rule or 'none'}")
        if expect.verdict is not None and expect.verdict != ("violation" if verdict.violation else "allow"):
            problems.append(f"expected {expect.verdict}, got {verdict.explain()}")
        if expect.collapsed is not None and expect.collapsed != bool(decision and decision.collapsed):
            problems.append(f"expected collapsed={expect.collapsed}")
        if expect.step is not None:
            got = decision.step.do if decision and decision.step and not decision.collapsed else None
            if got != expect.step:
                problems.append(f"expected step {expect.step}, got {got}")
        for problem in problems:
            failures.append(
                _failure(doc, loc, f"{scenario.name!r} at {now.isoformat()} {step.text!r}: {problem}")
            )
    return failures


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
