"""The admins' knowledge base: entries with question phrasings and answers per language, validated with
`file:line:col` problems like the policy.

    entries:
      - id: balance-check
        questions: [Как проверить баланс?, Сколько денег на счету]
        answer: Наберите *100#.
        answers: {uk: ..., en: ...}   # optional translations
        never_auto: true              # optional: suggested or used by moderators only
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from policies.schema import Strict
from policies.yamlsource import PolicyError, Problem, YamlDocument, load_yaml, validation_problems

Lang = Literal["ru", "uk", "en"]
ENTRY_ID = r"^[a-z0-9][a-z0-9_-]*$"
DEFAULT_KB = Path(__file__).parent.parent / "defaults" / "kb.yaml"


class EntrySpec(Strict):
    id: str = Field(pattern=ENTRY_ID)
    questions: list[str] = Field(min_length=1, description="phrasings members use; more is better")
    answer: str = Field(min_length=1, description="the answer in the knowledge base's main language")
    answers: dict[Lang, str] = Field(default_factory=dict, description="translations by language")
    tags: list[str] = Field(default_factory=list)
    never_auto: bool = Field(False, description="only suggested or used by moderators, never sent by itself")
    links: list[str] = Field(default_factory=list)


class KbSpec(Strict):
    schema_: Literal["modbot/kb@1"] | None = Field(None, alias="schema")
    lang: Lang = Field("ru", description="the language of `answer`")
    entries: list[EntrySpec] = Field(min_length=1)


@dataclass(frozen=True)
class KnowledgeBase:
    spec: KbSpec
    file: Path

    @property
    def entries(self) -> list[EntrySpec]:
        return self.spec.entries

    def entry(self, entry_id: str) -> EntrySpec | None:
        return next((e for e in self.spec.entries if e.id == entry_id), None)

    def answer(self, entry: EntrySpec, lang: str) -> str:
        """The answer in the member's language when the admins wrote one, else the main one."""
        if lang == self.spec.lang:
            return entry.answer
        return entry.answers.get(lang, entry.answer)  # type: ignore[call-overload]


def load_kb(path: Path | None = None) -> KnowledgeBase:
    """The knowledge base at `path` (the bundled one when None); raises PolicyError listing every problem."""
    path = Path(path or DEFAULT_KB)
    doc = load_yaml(path)
    try:
        spec = KbSpec.model_validate(doc.data)
    except ValidationError as exc:
        vocabulary = set(KbSpec.model_fields) | set(EntrySpec.model_fields) | {"schema"}
        raise PolicyError(validation_problems(doc, exc, vocabulary)) from exc
    problems = _consistency(doc, spec)
    if problems:
        raise PolicyError(problems)
    return KnowledgeBase(spec, path)


def _consistency(doc: YamlDocument, spec: KbSpec) -> list[Problem]:
    """What pydantic cannot see: a repeated id, or one phrasing under two entries (the matcher could not
    tell them apart)."""
    problems = []
    ids = Counter(e.id for e in spec.entries)
    owner: dict[str, str] = {}
    for index, entry in enumerate(spec.entries):
        if ids[entry.id] > 1:
            problems.append(doc.problem(("entries", index, "id"), f"duplicate entry id {entry.id!r}"))
        for q, question in enumerate(entry.questions):
            key = " ".join(question.casefold().split())
            first = owner.setdefault(key, entry.id)
            if first != entry.id:
                problems.append(
                    doc.problem(
                        ("entries", index, "questions", q), f"the same question is already under {first!r}"
                    )
                )
    return sorted(problems, key=lambda p: (p.line, p.col))
