"""Admins' regular expressions, compiled with RE2 so that no pattern can hang the bot."""

from __future__ import annotations

from typing import Literal

import re2
from pydantic import Field, field_validator

from policies.detectors.base import BuildEnv, Context, Detector, Finding, Message, Settings

_OPTIONS = re2.Options()
_OPTIONS.case_sensitive = False
_OPTIONS.log_errors = False  # the error reaches the admin as a lint line, not as noise on stderr
_OPTIONS.max_mem = 8 << 20  # a pathological pattern fails to compile instead of eating memory


def compile_re2(pattern: str) -> re2._Regexp:
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        raise ValueError(f"RE2 rejects {pattern!r}: {exc}") from exc


class RegexSettings(Settings):
    patterns: list[str] = Field(min_length=1, description="RE2 syntax; matched case-insensitively")
    on: Literal["normalized", "original"] = "normalized"

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            compile_re2(pattern)
        return patterns


class RegexDetector(Detector):
    name = "regex"
    settings_model = RegexSettings

    def __init__(self, settings: RegexSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.on = settings.on
        self.patterns = [(p, compile_re2(p)) for p in settings.patterns]

    def check(self, message: Message, ctx: Context) -> Finding | None:
        norm = message.norm
        text = norm.text if self.on == "normalized" else norm.original
        for written, pattern in self.patterns:
            match = pattern.search(text)
            if match is None or match.end() == match.start():
                continue
            if self.on == "normalized":
                span = norm.original_span(match.start(), match.end())
                return Finding("regex", (span,), (match.group(),), entries=(written,))
            return Finding("regex", (match.span(),), entries=(written,))
        return None
