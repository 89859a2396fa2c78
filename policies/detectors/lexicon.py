"""Words, stems and lexicon files: profanity, insults, or any list an admin writes."""

from __future__ import annotations

from pydantic import Field, field_validator

from policies.detectors.base import BuildEnv, Context, Detector, Finding, Message, Settings
from policies.lexicon import Hit

MAX_SPANS = 5


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class LexiconSettings(Settings):
    use: list[str] = Field(min_length=1, description="lexicon ids whose entries trigger the rule")
    allow: list[str] = Field(default_factory=list, description="lexicon ids of words never to flag")

    _lists = field_validator("use", "allow", mode="before")(_as_list)


class WordsSettings(Settings):
    words: list[str] = Field(min_length=1)
    allow: list[str] = Field(default_factory=list)


def allowed_tokens(message: Message, allow: list[str]) -> set[int]:
    """The words an allow list excuses. A self-censored word is never excused: `су*а` could spell `сукна`,
    but nobody hides the letters of an innocent word."""
    return {
        t
        for name in allow
        for hit in message.hits.get(name, ())
        if not hit.masked
        for t in (hit.first_token, hit.last_token)
    }


def lexicon_finding(detector: str, message: Message, hits: list[Hit]) -> Finding:
    norm = message.norm
    hits = hits[:MAX_SPANS]
    return Finding(
        detector,
        spans=tuple(norm.original_span(h.start, h.end) for h in hits),
        forms=tuple(norm.text[h.start : h.end] for h in hits),
        entries=tuple(h.entry.written for h in hits),
    )


class LexiconDetector(Detector):
    name = "lexicon"
    settings_model = LexiconSettings

    def __init__(self, settings: LexiconSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.use = [env.lexicon(n, "use") for n in settings.use]
        self.allow = [env.lexicon(n, "allow") for n in settings.allow]
        self._use = frozenset(self.use)

    def check(self, message: Message, ctx: Context) -> Finding | None:
        if self._use.isdisjoint(message.hits):
            return None
        hits = [h for name in self.use for h in message.hits.get(name, ())]
        allowed = allowed_tokens(message, self.allow)
        hits = [h for h in hits if h.first_token not in allowed]
        if not hits:
            return None
        label = "+".join(sorted({h.entry.lexicon for h in hits}))
        return lexicon_finding(f"lexicon:{label}", message, sorted(hits, key=lambda h: h.start))


class _InlineDetector(LexiconDetector):
    name = "_inline"
    settings_model = WordsSettings
    mode = "word"

    def __init__(self, settings: WordsSettings, env: BuildEnv, owner: str) -> None:  # type: ignore[override]
        inline = env.inline_lexicon(owner, settings.words, self.mode)
        super().__init__(LexiconSettings(use=[inline], allow=settings.allow), env, owner)


class WordsDetector(_InlineDetector):
    """Whole words written in the rule itself."""

    name = "words"


class StemsDetector(_InlineDetector):
    """Word beginnings written in the rule itself."""

    name = "stems"
    mode = "stem"
