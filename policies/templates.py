"""Every text the bot says comes from the admins' templates file, per language, with its placeholders
checked at load: a typo in `{membr}` is a lint error, never a broken message in a group."""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, field_validator

from policies.schema import Strict

PLACEHOLDERS = {
    "member",
    "rule",
    "reason",
    "step",
    "until",
    "chat",
    "count",
    "answer",
    "ticket",
    "hours",
    "reply",
}
LANGS = ("ru", "uk", "en")
# The texts the bot says on its own (the policy's rules name theirs with `tpl.`): a templates file that lacks
# one would fail in a chat, so it fails at load instead.
BOT_TEMPLATES = frozenset(
    {
        "step_warn",
        "step_mute",
        "step_ban",
        "step_ban_forever",
        "staff_warning",
        "faq_answer",
        "faq_suggest",
        "faq_none_button",
        "faq_picked",
        "ticket_ack",
        "ticket_reply",
        "private_welcome",
        "member_unnamed",
    }
)


class TemplatesSpec(Strict):
    schema_: Literal["modbot/templates@1"] = Field(alias="schema")
    default_lang: Literal["ru", "uk", "en"] = "ru"
    templates: dict[str, dict[Literal["ru", "uk", "en"], str]]

    @field_validator("templates")
    @classmethod
    def _placeholders(cls, templates: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for tid, texts in templates.items():
            if not texts:
                raise ValueError(f"template {tid!r} has no text")
            for lang, text in texts.items():
                for _, name, _, _ in string.Formatter().parse(text):
                    if name is not None and name not in PLACEHOLDERS:
                        raise ValueError(
                            f"template {tid}.{lang}: unknown placeholder {{{name}}}; "
                            f"known: {sorted(PLACEHOLDERS)}"
                        )
        return templates


def template_id(reference: str) -> str:
    """Policies write `tpl.rule_violation`; the templates file says `rule_violation`."""
    return reference.removeprefix("tpl.")


class Templates:
    def __init__(self, spec: TemplatesSpec) -> None:
        self.spec = spec

    def __contains__(self, reference: str) -> bool:
        return template_id(reference) in self.spec.templates

    def render(self, reference: str, lang: str | None = None, **values: str) -> str:
        safe = {name: values.get(name, "") for name in PLACEHOLDERS}
        # A member with neither a username nor a name is still addressed, in the message's language.
        safe["member"] = safe["member"] or self._text("member_unnamed", lang)
        return self._text(reference, lang).format(**safe)

    def _text(self, reference: str, lang: str | None) -> str:
        texts = self.spec.templates[template_id(reference)]
        return (
            texts.get(lang or self.spec.default_lang)
            or texts.get(self.spec.default_lang)
            or next(iter(texts.values()))
        )
