"""What every detector shares: the message view it reads, the finding it returns, and the registry that
lets a policy name a detector (a new detector is one new file plus one import in `__init__`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from policies.events import Event
from policies.lexicon import Hit
from policies.normalize import Normalized

if TYPE_CHECKING:
    from policies.flood import FloodWindow

REGISTRY: dict[str, type[Detector]] = {}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(slots=True)
class Message:
    """One message as the detectors see it; normalization and the lexicon scan run once, lazily."""

    event: Event
    norm: Normalized
    hits: dict[str, list[Hit]]


@dataclass(slots=True)
class Context:
    now: datetime
    flood: FloodWindow | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    detector: str
    spans: tuple[tuple[int, int], ...] = ()  # in the original text
    forms: tuple[str, ...] = ()  # what each span normalized to, where that differs
    figure: str = ""  # "6 messages in 10s", "score 1.4 >= 1.0: invite link 1.2, ..."
    entries: tuple[str, ...] = field(default=())  # the lexicon entries or patterns that matched
    burst: tuple[str, ...] = ()  # earlier message ids of the same chat that belong to this finding (flood)

    def aligned_forms(self) -> tuple[str, ...]:
        return self.forms if len(self.forms) == len(self.spans) else ("",) * len(self.spans)

    def quotes(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.spans]

    def explain(self, text: str) -> str:
        parts = [f"detector={self.detector}"]
        for (a, b), form in zip(self.spans, self.aligned_forms(), strict=True):
            quote = text[a:b]
            shown = f' → "{form}"' if form and form != quote.casefold() else ""
            parts.append(f'span[{a}:{b}]="{quote}"{shown}')
        if self.figure:
            parts.append(self.figure)
        return " ".join(parts)


class BuildEnv:
    """What a detector may ask for while it is built from the policy: lexicons by name (unknown ones
    are reported with the place they were named) and anonymous lexicons for inline word lists."""

    def __init__(self, lexicons: set[str]) -> None:
        self.lexicons = lexicons
        self.inline: dict[str, tuple[list[str], str]] = {}
        self.unknown: list[tuple[str, str]] = []  # (field, name)
        self.renames: dict[str, str] = {}  # a chat that swaps one lexicon for another

    def lexicon(self, name: str, field_name: str) -> str:
        name = self.renames.get(name, name)
        if name not in self.lexicons and name not in self.inline:
            self.unknown.append((field_name, name))
        return name

    def inline_lexicon(self, owner: str, words: list[str], mode: str) -> str:
        name = f"{owner}:{mode}:{len(self.inline)}"
        self.inline[name] = (words, mode)
        return name


class Detector:
    name: ClassVar[str]
    settings_model: ClassVar[type[Settings]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.name.startswith("_"):
            REGISTRY[cls.name] = cls

    def __init__(self, settings: Settings, env: BuildEnv, owner: str) -> None:
        self.settings = settings

    def check(self, message: Message, ctx: Context) -> Finding | None:
        raise NotImplementedError

    def observes_history(self) -> bool:
        """True for detectors that need every message of a member (flood), even exempt ones."""
        return False
