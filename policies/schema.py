"""The policy file's schema. Every model forbids unknown keys; durations are human strings."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from policies.detectors import REGISTRY
from policies.durations import Duration, DurationOrForever
from policies.events import ChatKind, Role
from policies.normalize import ALL_STEPS

Mode = Literal["enforce", "shadow", "off"]
Category = Literal["ads", "profanity", "flood", "insult", "other"]
ExemptRole = Literal["admins", "moderators", "bots"]
RULE_ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _detect_model() -> type[BaseModel]:
    """One optional field per registered detector (plus `any` / `all`); exactly one must be set."""
    fields: dict[str, Any] = {
        name: (cls.settings_model | None, Field(None, description=(cls.__doc__ or "").strip() or None))
        for name, cls in sorted(REGISTRY.items())
    }
    fields["any"] = (list["Detect"] | None, Field(None, description="matches when one of these matches"))
    fields["all"] = (list["Detect"] | None, Field(None, description="matches when all of these match"))

    def exactly_one(self: BaseModel) -> BaseModel:
        chosen = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(
                f"name exactly one detector (or any/all), got {chosen or 'none'}; known: {sorted(REGISTRY)}"
            )
        return self

    def shorthand(value: Any) -> Any:
        # `lexicon: mat_ru` and `words: [a, b]` are common enough to deserve a short form.
        if isinstance(value, dict):
            value = dict(value)
            if isinstance(value.get("lexicon"), str | list):
                value["lexicon"] = {"use": value["lexicon"]}
            for key in ("words", "stems"):
                if isinstance(value.get(key), list):
                    value[key] = {"words": value[key]}
            if isinstance(value.get("regex"), str | list):
                value["regex"] = {
                    "patterns": value["regex"] if isinstance(value["regex"], list) else [value["regex"]]
                }
        return value

    model = create_model(  # type: ignore[call-overload]
        "Detect",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __validators__={
            "_one": model_validator(mode="after")(exactly_one),
            "_short": model_validator(mode="before")(shorthand),
        },
        **fields,
    )
    return model


Detect = _detect_model()
Detect.model_rebuild()


class ActionItem(Strict):
    """One consequence. Written as `delete`, a bundle name, or a one-key map."""

    delete: bool | None = None
    reply: str | None = Field(None, description="template id, e.g. tpl.rule_violation")
    strike: int | None = Field(None, ge=1, le=10, description="strikes to add (the weight)")
    restrict: Duration | None = Field(None, description="mute the member for this long")
    bundle: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"delete": True} if value == "delete" else {"bundle": value}
        return value

    @model_validator(mode="after")
    def _one(self) -> ActionItem:
        if (
            sum(v is not None for v in (self.delete, self.reply, self.strike, self.restrict, self.bundle))
            != 1
        ):
            raise ValueError("an action is one of: delete, reply, strike, restrict, or a bundle name")
        return self


class Who(Strict):
    roles: list[Literal["admins", "moderators", "bots", "members"]] | None = None
    chat_kinds: list[ChatKind] | None = None
    chats: list[str] | None = Field(None, description="chat keys, e.g. tg:-1001234567890")


class Case(Strict):
    text: str
    spans: list[str] | None = Field(None, description="the original text each finding must quote")
    as_: Role = Field(Role.MEMBER, alias="as")
    chat_kind: ChatKind = ChatKind.GROUP

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class RuleTests(Strict):
    match: list[Case] = Field(default_factory=list)
    no_match: list[Case] = Field(default_factory=list)


class Rule(Strict):
    id: str = Field(pattern=RULE_ID)
    title: str
    category: Category | None = Field(None, description="defaults to the id when it is a known category")
    severity: int = Field(1, ge=0, le=10, description="the most severe matching rule is the one enforced")
    mode: Mode | None = None
    detect: Detect  # type: ignore[valid-type]
    when: Who | None = None
    unless: Who | None = None
    then: list[ActionItem] = Field(min_length=1)
    tests: RuleTests = RuleTests()

    @property
    def resolved_category(self) -> str:
        return self.category or (self.id if self.id in Category.__args__ else "other")  # type: ignore[attr-defined]


class LadderStep(Strict):
    at: int = Field(ge=1, description="active strikes at which this step applies")
    do: Literal["warn"] | dict[Literal["ban", "mute"], DurationOrForever]
    confirm: Literal["none", "staff"] = "none"

    @field_validator("do")
    @classmethod
    def _one_sanction(cls, value: Any) -> Any:
        if isinstance(value, dict) and len(value) != 1:
            raise ValueError("a step does one thing: warn, {ban: 7d} or {mute: 1h}")
        if isinstance(value, dict) and "mute" in value and value["mute"] is None:
            raise ValueError("a mute needs a duration; use {ban: forever} for a permanent ban")
        return value

    @property
    def kind(self) -> str:
        return self.do if isinstance(self.do, str) else next(iter(self.do))

    @property
    def duration(self) -> timedelta | None:
        return None if isinstance(self.do, str) else next(iter(self.do.values()))

    def label(self) -> str:
        from policies.durations import format_duration

        return self.kind if self.kind == "warn" else f"{self.kind} {format_duration(self.duration)}"


class Ladder(Strict):
    expire_after: DurationOrForever = Field(
        timedelta(days=180), description="strikes older than this stop counting"
    )
    collapse_within: Duration = Field(
        timedelta(seconds=60), description="a burst within this is one incident"
    )
    steps: list[LadderStep] = Field(min_length=1)
    notify_staff_from: int = Field(2, ge=1)


class NormalizeProfile(Strict):
    steps: list[Literal[ALL_STEPS]] = Field(default_factory=lambda: list(ALL_STEPS))  # type: ignore[valid-type]


class LexiconFile(Strict):
    file: str
    mode: Literal["stem", "word"] = "stem"
    lang: str | None = None


class Defaults(Strict):
    mode: Mode = "enforce"
    normalize: str = "default"
    exempt: list[ExemptRole] = Field(default_factory=lambda: ["admins", "moderators", "bots"])


class RuleOverride(Strict):
    mode: Mode | None = None
    detect: dict[str, Any] | None = Field(None, description="merged into the rule's detect settings")


class ChatOverride(Strict):
    extends: Literal["defaults"] = "defaults"
    mode: Mode | None = None
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    lexicons: dict[str, str] = Field(default_factory=dict, description="use another lexicon in this chat")
    ladder: Ladder | None = None


class Expect(Strict):
    rule: str | None = None
    step: Literal["warn"] | dict[Literal["ban", "mute"], DurationOrForever] | None = None
    collapsed: bool | None = None
    verdict: Literal["allow", "violation"] | None = None


class ScenarioStep(Strict):
    at: str = Field(description='an ISO time, or "+20s" after the previous step')
    text: str
    user: str = "tg:1"
    chat: str = "tg:-1"
    as_: Role = Field(Role.MEMBER, alias="as")
    pardon: bool = Field(False, description="a moderator pardons the member's latest strike before this text")
    expect: Expect = Expect()


class Scenario(Strict):
    name: str
    steps: list[ScenarioStep] = Field(min_length=1)


class Groups(Strict):
    probation: Duration = Field(
        timedelta(days=1),
        description="after joining, a member's links and mentions meet the stricter "
        "`newcomer_threshold` of the ads detector",
    )
    delete_service_messages: bool = Field(False, description='remove "X joined" / "X left" messages')


class Agreement(Strict):
    score: float = Field(0.4, ge=0, le=1, description="the least score answered when both views agree")
    similarity: float = Field(0.86, ge=-1, le=1, description="the least meaning similarity (e5 cosine)")
    margin: float = Field(0.04, ge=0, le=2, description="by which meaning's first beats its second entry")
    veto: float = Field(
        0.02,
        ge=0,
        le=2,
        description="a confident answer becomes a suggestion when meaning prefers another entry by this much",
    )


class Faq(Strict):
    knowledge_base: str = Field("kb.yaml", description="the knowledge base file, relative to this one")
    chats: list[str] | None = Field(None, description="chat keys that get answers; default every group")
    answer: float = Field(0.48, ge=0, le=1, description="the least score that answers directly")
    margin: float = Field(0.12, ge=0, le=1, description="and by how much it must beat the runner-up")
    suggest: float = Field(0.25, ge=0, le=1, description="the least score that is offered as a suggestion")
    suggestions: int = Field(3, ge=1, le=5, description="how many entries a suggestion offers at most")
    semantic: bool | Literal["auto"] = Field(
        "auto",
        description="also match by meaning (multilingual-e5-small, the `semantic` extra): true, false, or "
        "auto (when the extra is installed)",
    )
    agreement: Agreement = Field(
        Agreement(),
        description="with `semantic`: when meaning ranks the same entry first, answer from a lower score",
    )

    @model_validator(mode="after")
    def _bands(self) -> Faq:
        if self.suggest > self.answer:
            raise ValueError(f"suggest ({self.suggest}) must not be above answer ({self.answer})")
        return self


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class WorkingHours(Strict):
    timezone: str = Field("Europe/Moscow", description="an IANA time zone, e.g. Europe/Moscow or Asia/Almaty")
    days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1, description="working days"
    )
    start: time = Field(time(9), description="the team's day begins, local time (09:00)")
    end: time = Field(time(18), description="and ends (18:00), after `start` on the same day")
    holidays: list[date] = Field(default_factory=list, description="days off, e.g. 2027-01-01")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Moscow)") from None
        return value

    @model_validator(mode="after")
    def _a_day(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:%H:%M}) must be after start ({self.start:%H:%M})")
        return self


class Tickets(Strict):
    sla: Duration = Field(timedelta(hours=24), description="the team's promise: first response within this")
    working_hours: WorkingHours | None = Field(
        None, description="count the SLA in these hours only (default: around the clock)"
    )
    remind_before: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=4), timedelta(hours=1)],
        description="remind the staff chat this long before a ticket's due time",
    )
    digest_every: Duration = Field(
        timedelta(minutes=10), description="reminders and breaches gathered into one message per interval"
    )
    follow_up_within: Duration = Field(
        timedelta(hours=48), description="a member's next messages join their live ticket for this long"
    )
    key_products: list[str] = Field(default_factory=list, description="words that raise a ticket's priority")
    tone_lexicon: str | None = Field(
        "sensitive_topics", description="a lexicon of topics a moderator's relayed reply must not touch"
    )
    weekly_digest: bool = Field(True, description="post the week's response metrics every Monday")


class PolicySpec(Strict):
    schema_: Literal["modbot/policy@1"] = Field(alias="schema")
    templates: str = Field("templates.yaml", description="the templates file, relative to this one")
    defaults: Defaults = Defaults()
    moderators: list[str] = Field(default_factory=list, description="member keys such as tg:123")
    normalize: dict[str, NormalizeProfile] = Field(default_factory=lambda: {"default": NormalizeProfile()})
    lexicons: dict[str, LexiconFile] = Field(default_factory=dict)
    bundles: dict[str, list[ActionItem]] = Field(default_factory=dict)
    rules: list[Rule] = Field(min_length=1)
    ladder: Ladder
    chats: dict[str, ChatOverride] = Field(default_factory=dict)
    groups: Groups = Groups()
    faq: Faq = Faq()
    tickets: Tickets = Tickets()
    scenarios: list[Scenario] = Field(default_factory=list)


def vocabulary() -> set[str]:
    """Every key the schema knows, for did-you-mean on unknown keys."""
    words: set[str] = set(REGISTRY) | {"any", "all"}
    models: list[type[BaseModel]] = [PolicySpec, Detect, *(cls.settings_model for cls in REGISTRY.values())]
    seen: set[type[BaseModel]] = set()
    while models:
        model = models.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            words.add(info.alias or name)
            for arg in _model_args(info.annotation):
                models.append(arg)
    return words


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _model_args(arg)]
