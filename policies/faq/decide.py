"""What the bot does with a clean group message: answer it from the knowledge base, suggest entries,
escalate it to the moderators as a ticket, or leave it alone.

Both the score and its margin over the runner-up decide a direct answer: two close entries ("пополнить
баланс" and "автоплатёж") are a suggestion, never a guess. With the semantic matcher a second opinion
counts too: an entry that meaning also ranks first, clearly, is answered from a lower score, and an entry
that meaning clearly ranks below another is only suggested."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from policies.faq.glossary import DEFAULT_GLOSSARY, Glossary, load_glossary
from policies.faq.kb import KnowledgeBase, load_kb
from policies.faq.lang import detect_lang
from policies.faq.matcher import Matcher, Scored
from policies.faq.semantic import Opinion, SemanticScorer, SemanticUnavailable
from policies.faq.translit import Translit
from policies.faq.triage import Kind, Triage, Triager
from policies.schema import Faq
from policies.yamlsource import PolicyError, Problem

# A message this long that asks nothing and is near no entry is a story for a person ("eSIM не активируется,
# QR пишет ошибку, была в салоне два раза"), not a remark to leave alone. Measured on the FAQ sets: from 8
# words on, more of what needs a person is escalated than from 12, for one chit-chat line of the bundled set.
STORY_WORDS = 8


class Decision(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    ESCALATE = "escalate"
    IGNORE = "ignore"


@dataclass(frozen=True)
class FaqOutcome:
    decision: Decision
    triage: Triage
    lang: str
    entry: str | None = None
    suggestions: list[str] = field(default_factory=list)
    score: float = 0.0
    agreed: bool = False  # answered because the semantic matcher ranked the entry first too

    def explain(self) -> str:
        near = self.entry or next(iter(self.suggestions), None)
        best = f"; best entry {near} ({self.score:.2f})" if near else ""
        agreed = ", meaning agrees" if self.agreed else ""
        return f"{self.decision.value}: {self.triage.explain()}{best}{agreed}"


class FaqDesk:
    def __init__(self, kb: KnowledgeBase, settings: Faq, glossary_file: Path = DEFAULT_GLOSSARY) -> None:
        self.kb = kb
        self.settings = settings
        self._triage = Triager()
        glossary = load_glossary(glossary_file)
        self._semantic = _semantic_scorer(kb, settings.semantic, glossary)
        self._matcher = Matcher(kb, glossary)
        self._cyrillic = Translit(glossary.knows)

    @property
    def semantic(self) -> bool:
        """Whether meaning is consulted (faq.semantic true, or auto with the extra installed)."""
        return self._semantic is not None

    def rank(self, text: str) -> list[Scored]:
        return self._matcher.rank(text, top=self.settings.suggestions + 1)

    def decide(self, text: str, addressed: bool = False) -> FaqOutcome:
        """`addressed`: written to the brand itself (a private dialog), so neither a question to the
        members nor a remark is left for others to answer."""
        text = self._cyrillic(text)  # "kak uznat balans" is Russian
        triage = self._triage(text)
        lang = detect_lang(text)
        if triage.kind is Kind.CHITCHAT and not triage.terse:
            return FaqOutcome(Decision.IGNORE, triage, lang)
        if triage.kind not in (Kind.QUESTION, Kind.CHITCHAT):
            return FaqOutcome(Decision.ESCALATE, triage, lang)
        ranked = self.rank(text)
        top = ranked[0].score if ranked else 0.0
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        s = self.settings
        opinion = self._opinion(text, ranked)
        confident = top >= s.answer and top - runner_up >= s.margin
        if confident and opinion is not None:
            # Meaning prefers another entry: offered, not sent.
            confident = opinion.lead_over(ranked[0].entry) < s.agreement.veto
        agreed = not confident and opinion is not None and self._agrees(opinion, ranked[0])
        if confident or agreed:
            entry = self.kb.entry(ranked[0].entry)
            if entry is not None and not entry.never_auto:
                return FaqOutcome(Decision.ANSWER, triage, lang, entry.id, score=top, agreed=agreed)
        if triage.kind is Kind.CHITCHAT:
            return FaqOutcome(Decision.IGNORE, triage, lang, score=top)  # a few words, no entry is sure
        if triage.to_members and not addressed:
            return FaqOutcome(Decision.IGNORE, triage, lang, score=top)  # the members will answer
        offered = [r.entry for r in ranked[: s.suggestions] if r.score >= s.suggest]
        if offered:
            return FaqOutcome(Decision.SUGGEST, triage, lang, suggestions=offered, score=top)
        if not triage.asks and triage.words < STORY_WORDS and not addressed:
            return FaqOutcome(Decision.IGNORE, triage, lang, score=top)  # a remark no entry is near
        return FaqOutcome(Decision.ESCALATE, triage, lang, score=top)

    def _opinion(self, text: str, ranked: list[Scored]) -> Opinion | None:
        """The semantic matcher's, where it is on and the best entry is near enough to be answered."""
        if self._semantic is None or not ranked or ranked[0].score < self.settings.agreement.score:
            return None
        return self._semantic.best(text)

    def _agrees(self, opinion: Opinion, best: Scored) -> bool:
        need = self.settings.agreement
        return (
            opinion.entry == best.entry
            and opinion.similarity >= need.similarity
            and opinion.margin >= need.margin
        )


def _semantic_scorer(kb: KnowledgeBase, wanted: bool | str, glossary: Glossary) -> SemanticScorer | None:
    """On when asked for; with "auto", when the extra is installed (the default install has none)."""
    if wanted is False:
        return None
    try:
        return SemanticScorer(kb, glossary)
    except SemanticUnavailable:
        if wanted is True:
            raise
        return None


def faq_desk(kb_file: Path | None, settings: Faq, policy_folder: Path | None) -> FaqDesk:
    """The desk for a policy: its knowledge base unless `kb_file` names another."""
    if kb_file is None and policy_folder is not None:
        kb_file = policy_folder / settings.knowledge_base
    kb = load_kb(kb_file)
    try:
        return FaqDesk(kb, settings)
    except SemanticUnavailable as exc:
        raise PolicyError([Problem(str(kb.file), 1, 1, "faq.semantic", str(exc))]) from exc
