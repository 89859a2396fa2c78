"""One message in, one verdict out: which rules match, which one is enforced, and why, in words.

Every matching rule is recorded; the most severe rule in enforce mode is the one enforced. Admins,
moderators and bots are exempt by default (the verdict says so), and the staff chat and the bot's own
messages are never moderated."""

from __future__ import annotations

from dataclasses import dataclass

from policies.compile import CompiledPolicy, CompiledRule
from policies.detectors import Context, Finding, Message
from policies.events import ChatKind, Event, Role
from policies.flood import FloodWindow
from policies.normalize import Normalized
from policies.schema import Who

_ROLE_GROUP = {Role.ADMIN: "admins", Role.MODERATOR: "moderators", Role.BOT: "bots", Role.MEMBER: "members"}


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: CompiledRule
    finding: Finding
    mode: str  # enforce | shadow | exempt

    def explain(self, text: str) -> str:
        return f"rule={self.rule.id} (policy line {self.rule.line}) {self.finding.explain(text)}"


@dataclass(frozen=True, slots=True)
class Verdict:
    event: Event
    norm: Normalized | None
    hits: tuple[RuleHit, ...]
    enforced: RuleHit | None
    exempt: str | None  # why this author or chat is not moderated

    @property
    def violation(self) -> bool:
        return bool(self.hits) and self.exempt is None

    @property
    def shadow(self) -> bool:
        return self.violation and self.enforced is None

    @property
    def leading(self) -> RuleHit | None:
        """The enforced hit, or the hit that would have been enforced (shadow, exempt)."""
        return self.enforced or (self.hits[0] if self.hits else None)

    def explain(self) -> str:
        if not self.hits:
            return f"allowed ({self.exempt})" if self.exempt else "allowed: no rule matched"
        text = self.event.text
        lead = self.leading
        assert lead is not None
        parts = [lead.explain(text)]
        if self.exempt:
            parts.append(f"exempt: {self.exempt}")
        elif lead.mode == "shadow":
            parts.append("mode: shadow (recorded, nothing done)")
        others = [h.rule.id for h in self.hits if h is not lead]
        if others:
            parts.append("also: " + ", ".join(others))
        return " · ".join(parts)


class Engine:
    def __init__(self, policy: CompiledPolicy, flood: FloodWindow | None = None) -> None:
        self.policy = policy
        self.flood = flood if flood is not None else FloodWindow()
        self.moderators = set(policy.spec.moderators)

    def evaluate(self, event: Event) -> Verdict:
        if event.chat_kind is ChatKind.STAFF:
            return Verdict(event, None, (), None, "the staff chat is never moderated")
        author = event.author
        if author.role is Role.SELF:
            return Verdict(event, None, (), None, "the bot's own message")
        role = Role.MODERATOR if author.key in self.moderators else author.role
        group = _ROLE_GROUP.get(role, "members")
        norm = self.policy.normalizer(event.text)
        if author.key is not None and group == "members":
            key = "".join(norm.words)
            self.flood.observe(author.key, event.at, key, f"{event.chat}/{event.message_id}")
        message = Message(event, norm, self.policy.index.scan(norm))
        ctx = Context(event.at, self.flood)
        hits: list[RuleHit] = []
        for rule in self.policy.rules_for(event.chat):
            when = rule.spec.when
            if rule.mode == "off" or (when is not None and not _applies(when, event, group)):
                continue
            finding = rule.detector.check(message, ctx)
            if finding is None:
                continue
            excused = group in self.policy.spec.defaults.exempt or _applies(rule.spec.unless, event, group)
            mode = "shadow" if event.shadow and rule.mode == "enforce" else rule.mode
            hits.append(RuleHit(rule, finding, "exempt" if excused else mode))
        if not hits:
            return Verdict(event, norm, (), None, None)
        hits.sort(key=lambda h: (h.mode == "exempt", -h.rule.spec.severity))
        enforced = next((h for h in hits if h.mode == "enforce"), None)
        exempt = f"{role.value}s are exempt" if hits[0].mode == "exempt" else None
        return Verdict(event, norm, tuple(hits), enforced, exempt)


def _applies(who: Who | None, event: Event, group: str) -> bool:
    if who is None:
        return False
    if who.roles is not None and group not in who.roles:
        return False
    if who.chat_kinds is not None and event.chat_kind not in who.chat_kinds:
        return False
    return not (who.chats is not None and event.chat not in who.chats)
