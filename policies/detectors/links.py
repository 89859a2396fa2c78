"""Links and mentions as plain rules: any link outside the allowed domains, any mention of a kind."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from policies.detectors.base import BuildEnv, Context, Detector, Finding, Message, Settings
from policies.signals import Domains, find_links, find_mentions


class LinksSettings(Settings):
    allow_domains: list[str] = Field(default_factory=list, description="subdomains included")
    kinds: list[Literal["invite", "messenger", "post", "shortener", "obfuscated", "web"]] = Field(
        default_factory=lambda: ["invite", "messenger", "post", "shortener", "obfuscated", "web"]
    )


class LinksDetector(Detector):
    name = "links"
    settings_model = LinksSettings

    def __init__(self, settings: LinksSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.allow_domains = Domains(settings.allow_domains)

    def check(self, message: Message, ctx: Context) -> Finding | None:
        s: LinksSettings = self.settings  # type: ignore[assignment]
        bad = [
            link
            for link in find_links(message.norm.original, message.event.links)
            if link.kind in s.kinds and link.domain not in self.allow_domains
        ]
        if not bad:
            return None
        return Finding(
            "links", tuple(link.span for link in bad), figure=f"{bad[0].kind} link {bad[0].domain}"
        )


class MentionsSettings(Settings):
    kinds: list[Literal["bot", "account"]] = Field(default_factory=lambda: ["bot", "account"])
    allow: list[str] = Field(default_factory=list, description="usernames without @")


class MentionsDetector(Detector):
    name = "mentions"
    settings_model = MentionsSettings

    def __init__(self, settings: MentionsSettings, env: BuildEnv, owner: str) -> None:
        super().__init__(settings, env, owner)
        self.allow = {name.lstrip("@").casefold() for name in settings.allow}

    def check(self, message: Message, ctx: Context) -> Finding | None:
        s: MentionsSettings = self.settings  # type: ignore[assignment]
        bad = [
            m
            for m in find_mentions(message.norm.original, message.event.mentions)
            if m.kind in s.kinds and m.name not in self.allow
        ]
        if not bad:
            return None
        return Finding("mentions", tuple(m.span for m in bad), figure=f"{bad[0].kind} @{bad[0].name}")
