"""Two lexicons close together: a competitor near praise, an insult near a person."""

from __future__ import annotations

from pydantic import Field, field_validator

from policies.detectors.base import BuildEnv, Context, Detector, Finding, Message, Settings
from policies.detectors.lexicon import _as_list, allowed_tokens, lexicon_finding
from policies.lexicon import Hit


class NearSettings(Settings):
    a: list[str] = Field(min_length=1, description="lexicon ids")
    b: list[str] = Field(min_length=1, description="lexicon ids")
    within_words: int = Field(6, ge=0)
    allow: list[str] = Field(default_factory=list)

    _lists = field_validator("a", "b", "allow", mode="before")(_as_list)


def pairs_near(message: Message, a: list[str], b: list[str], within: int) -> list[tuple[Hit, Hit]]:
    hits_a = [h for name in a for h in message.hits.get(name, ())]
    if not hits_a:
        return []
    hits_b = [h for name in b for h in message.hits.get(name, ())]
    return [
        (x, y)
        for x in hits_a
        for y in hits_b
        if x.first_token != y.first_token
        and min(abs(y.first_token - x.last_token), abs(x.first_token - y.last_token)) <= within
    ]


class NearDetector(Detector):
    name = "near"
    settings_model = NearSettings

    def __init__(self, settings: NearSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.a = [env.lexicon(n, "a") for n in settings.a]
        self.b = [env.lexicon(n, "b") for n in settings.b]
        self.allow = [env.lexicon(n, "allow") for n in settings.allow]
        self.within = settings.within_words
        self._a = frozenset(self.a)
        self._b = frozenset(self.b)

    def check(self, message: Message, ctx: Context) -> Finding | None:
        if self._a.isdisjoint(message.hits) or self._b.isdisjoint(message.hits):
            return None
        pairs = pairs_near(message, self.a, self.b, self.within)
        if pairs and self.allow:
            allowed = allowed_tokens(message, self.allow)
            pairs = [(x, y) for x, y in pairs if x.first_token not in allowed]
        if not pairs:
            return None
        x, y = pairs[0]
        finding = lexicon_finding("near", message, sorted((x, y), key=lambda h: h.start))
        gap = abs(y.first_token - x.first_token)
        return Finding(finding.detector, finding.spans, finding.forms, f"{gap} words apart", finding.entries)
