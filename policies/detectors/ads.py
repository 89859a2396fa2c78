"""Advertising, scored: each signal adds its weight and the message is an ad at the threshold, so a single
weak signal (a link to a news article, a neutral mention of a competitor) never punishes on its own.
The finding lists every signal with its weight, which is what the moderator sees."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import Field

from policies.detectors.base import BuildEnv, Context, Detector, Finding, Message, Settings
from policies.detectors.lexicon import allowed_tokens
from policies.detectors.near import pairs_near
from policies.lexicon import Hit
from policies.offers import count_hype, digit_count, digits, find_pay_rates, find_phones
from policies.signals import Domains, find_links, find_mentions


class LinkWeights(Settings):
    invite: float = 1.2
    messenger: float = 0.9
    post: float = Field(0.6, description="one post of a channel or wall: t.me/channel/554")
    obfuscated: float = 1.2
    shortener: float = 0.8
    web: float = 0.4


class Promotion(Settings):
    """A lexicon (competitors) near another (praise, calls to switch); each distinct near-word counts."""

    a: str
    b: str
    within_words: int = Field(6, ge=0)
    weight: float = 0.6


class AdsSettings(Settings):
    threshold: float = Field(1.0, gt=0)
    newcomer_threshold: float = Field(
        0.4,
        gt=0,
        description="the threshold for a member on probation whose message has a link or names a bot",
    )
    allow_domains: list[str] = Field(default_factory=list, description="the brand's own; subdomains included")
    allow_mentions: list[str] = Field(
        default_factory=list, description="the brand's own accounts, no @; links to them are allowed too"
    )
    allow_phones: list[str] = Field(default_factory=list, description="the brand's support numbers")
    links: LinkWeights = LinkWeights()
    mention: float = 0.3
    bot_mention: float = 0.6
    phone: float = 0.5
    forwarded_from_channel: float = 0.5
    pay_rate: float = Field(0.5, description='"от 1500 в день", "$500/day"')
    hype_emoji: float = Field(0.3, description="three or more money, fire or pointing emoji")
    lexicons: dict[str, float] = Field(
        default_factory=dict, description="lexicon id: weight per distinct term"
    )
    terms_counted: int = Field(2, ge=1, description="at most this many distinct terms of one lexicon count")
    promotion: list[Promotion] = Field(default_factory=list)
    allow: list[str] = Field(default_factory=list, description="lexicon ids of words that are never signals")


class Signal(NamedTuple):
    label: str
    weight: float
    span: tuple[int, int]
    kind: str = "text"  # link | bot | account (mentions) | text


class AdsDetector(Detector):
    name = "ads"
    settings_model = AdsSettings

    def __init__(self, settings: AdsSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.s = settings
        for lexicon in settings.lexicons:
            env.lexicon(lexicon, "lexicons")
        for rule in settings.promotion:
            env.lexicon(rule.a, "promotion.a")
            env.lexicon(rule.b, "promotion.b")
        self.allow = [env.lexicon(n, "allow") for n in settings.allow]
        self.allow_domains = Domains(settings.allow_domains)
        self.allow_mentions = {m.lstrip("@").casefold() for m in settings.allow_mentions}
        self.allow_phones = {digits(p)[-10:] for p in settings.allow_phones}
        self._weights = tuple(settings.lexicons.items())
        self._lexicons = frozenset(settings.lexicons) | {rule.a for rule in settings.promotion}

    def check(self, message: Message, ctx: Context) -> Finding | None:
        signals = self.signals(message)
        score = sum(s.weight for s in signals)
        threshold = self.s.threshold
        if message.event.author.newcomer and any(s.kind in ("link", "bot") for s in signals):
            threshold = min(threshold, self.s.newcomer_threshold)
        if score < threshold:
            return None
        on_probation = " (newcomer)" if threshold < self.s.threshold else ""
        figure = f"score {score:.1f} >= {threshold:.1f}{on_probation}: " + ", ".join(
            f"{s.label} {s.weight:.1f}" for s in signals
        )
        spans = tuple(dict.fromkeys(s.span for s in signals if s.span != (0, 0)))
        return Finding("ads", spans, figure=figure)

    def signals(self, message: Message) -> list[Signal]:
        norm = message.norm
        text = norm.original
        event = message.event
        found: list[Signal] = []
        for link in find_links(text, event.links):
            if not (link.domain in self.allow_domains or link.account in self.allow_mentions):
                weight = getattr(self.s.links, link.kind)
                found.append(Signal(f"{link.kind} link {link.domain}", weight, link.span, "link"))
        for mention in find_mentions(text, event.mentions):
            if mention.name not in self.allow_mentions:
                weight = self.s.bot_mention if mention.kind == "bot" else self.s.mention
                found.append(Signal(f"mention @{mention.name}", weight, mention.span, mention.kind))
        numbers = digit_count(text)
        if numbers:
            for number, span in find_phones(text) if numbers >= 10 else ():
                if digits(number)[-10:] not in self.allow_phones:
                    found.append(Signal("phone", self.s.phone, span))
            for start, end in find_pay_rates(norm.text)[:1]:
                found.append(Signal("pay rate", self.s.pay_rate, norm.original_span(start, end)))
        if (not norm.plain or "$$" in text) and count_hype(text) >= 3:
            found.append(Signal("hype emoji", self.s.hype_emoji, (0, 0)))
        if event.forwarded_from_channel:
            found.append(Signal("forwarded from a channel", self.s.forwarded_from_channel, (0, 0)))
        found.extend(self._lexicon_signals(message))
        return found

    def _lexicon_signals(self, message: Message) -> list[Signal]:
        hits = message.hits
        if self._lexicons.isdisjoint(hits):
            return []
        weighted = [(name, weight) for name, weight in self._weights if name in hits]
        promotions = [rule for rule in self.s.promotion if rule.a in hits and rule.b in hits]
        if not weighted and not promotions:
            return []
        norm = message.norm
        allowed = allowed_tokens(message, self.allow)
        found = []
        for lexicon, weight in weighted:
            terms: dict[str, tuple[int, int]] = {}
            for hit in _outermost(hits[lexicon]):
                if hit.first_token not in allowed:
                    terms.setdefault(hit.entry.body, norm.original_span(hit.start, hit.end))
            for body, span in list(terms.items())[: self.s.terms_counted]:
                found.append(Signal(f'{lexicon} "{body}"', weight, span))
        for rule in promotions:
            seen: set[str] = set()
            for x, y in pairs_near(message, [rule.a], [rule.b], rule.within_words):
                if y.entry.body not in seen and x.first_token not in allowed and y.last_token not in allowed:
                    seen.add(y.entry.body)
                    span = norm.original_span(min(x.start, y.start), max(x.end, y.end))
                    found.append(Signal(f'{rule.a}+{rule.b} "{y.entry.body}"', rule.weight, span))
        return found


def _outermost(hits: list[Hit]) -> list[Hit]:
    """A phrase is one term: `пиши в лс` counts once, not again as `в лс` and `пиши` inside it. Hits
    never share a span within a lexicon, so a hit is inside another when one before it (in text order,
    longest first) reaches as far."""
    if len(hits) < 2:
        return hits
    kept = []
    reach = -1
    for hit in sorted(hits, key=lambda h: (h.first_token, -h.last_token)):
        if hit.last_token > reach:
            kept.append(hit)
            reach = hit.last_token
    return kept
