"""Triage of a group message that broke no rule: a question to the brand, a problem that needs a person, an
idea, or chit-chat between members. Cue lexicons (policies/defaults/triage/*.txt, the same format and
matcher as the policy's lexicons) find the signals; the order below decides.

A problem wins over everything: "верните деньги за роутер?" is a question in form, and still a person must
handle it, so it never reaches the FAQ matcher. An idea comes next, then chit-chat (thanks, greetings)
unless the member also asks something. A question to the other members ("кто-нибудь знает...", one that
opens with "кто пробовал...", "у кого..." or a first name and a comma, or with an @mention) is marked
`to_members`. One that asks what the brand knows too ("кто-нибудь знает, как проверить баланс?") is
answered only when the bot is sure; one that asks the members' experience or calls on one of them ("кто
пользуется eSIM, не глючит?", "Марина, нашла роутер?") is chit-chat, left to them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from policies.faq.words import morphology
from policies.lexicon import Hit, LexiconIndex, parse_lexicon
from policies.normalize import Normalizer

DEFAULT_CUES = Path(__file__).parent.parent / "defaults" / "triage"
CUE_FILES = ("problem", "severity", "idea", "chitchat", "question", "members", "knows")
# No leet or lookalike folding: members' numbers and codes (*100#, 0611) must stay what they are.
_STEPS = ("strip_invisible", "nfkc", "casefold", "fold_yo")
_LETTER = re.compile(r"[^\W\d_]")
_MENTION_FIRST = re.compile(r"^\s*@\w")
# The first word (after "ребят," and the like, and a leading "а"/"и"/"so"), the first two, and whether a
# comma follows the first.
_OPENING = re.compile(
    r"^\W*(?:(?:ребят[аы]?|народ|люди|друзья|guys|folks)(?![-\w])\s*,?\s*)?(?:(?:а|и|so)\s+)?"
    r"(?P<two>(?P<word>[^\W\d_]+)(?![-\w])(?P<comma>\s*,)?\s*[^\W\d_]*)"
)
# "Ребята, ..." alone is no such call: members write it to the brand's chat as much as to each other; "ребят,
# кто ..." is.
_CALLING_ON = frozenset({"у кого", "кто", "хто", "who", "anyone", "anybody"})
_SOMEONE = frozenset({"кто то", "хто то"})  # "кто-то поставил переадресацию": someone, not "who of you"
_CONJUNCTIONS = frozenset({"что", "чем", "що"})  # "как", "где" after a thank-you still ask


class Kind(StrEnum):
    QUESTION = "question"
    PROBLEM = "problem"
    IDEA = "idea"
    CHITCHAT = "chitchat"


@dataclass(frozen=True)
class Triage:
    kind: Kind
    cues: dict[str, list[str]] = field(default_factory=dict)  # cue file -> the words that matched
    asks: bool = False  # a question mark or an interrogative
    words: int = 0
    to_members: bool = False  # "кто-нибудь знает...", "@olga ...": members may answer it themselves
    # Chit-chat only for being short, asking nothing: "остатки минут код" is a question when an entry is
    # sure of it, "в Москве дождь" is not.
    terse: bool = False

    @property
    def severe(self) -> bool:
        return bool(self.cues.get("severity"))

    def explain(self) -> str:
        found = "; ".join(f"{name}: {', '.join(words)}" for name, words in self.cues.items())
        return f"{self.kind.value}" + (f" ({found})" if found else "")


class Triager:
    def __init__(self, folder: Path = DEFAULT_CUES) -> None:
        normalizer = Normalizer(_STEPS)
        lexicons = {}
        for name in CUE_FILES:
            entries, problems = parse_lexicon(
                (folder / f"{name}.txt").read_text(encoding="utf-8"), name, "stem", normalizer
            )
            if problems:
                raise ValueError(f"{folder / name}.txt:{problems[0].line}: {problems[0].message}")
            lexicons[name] = entries
        self._normalize = normalizer
        self._index = LexiconIndex(lexicons)

    def __call__(self, text: str) -> Triage:
        norm = self._normalize(text)
        hits = self._index.scan(norm)
        cues = {name: sorted({norm.quote(h.start, h.end) for h in found}) for name, found in hits.items()}
        asks = "?" in text or _asks(hits.get("question", ()), "chitchat" in cues)
        words = len(norm.tokens)
        to_members = "members" in cues or bool(_MENTION_FIRST.match(text)) or _addresses_members(text)
        letters = bool(_LETTER.search(text))
        kind = _kind(cues, asks, words, letters, to_members)
        terse = kind is Kind.CHITCHAT and letters and not to_members and "chitchat" not in cues
        return Triage(kind, cues, asks, words, to_members, terse)


def _asks(questions: Sequence[Hit], thanks: bool) -> bool:
    """A question word asks, except the conjunctions of a thank-you: "спасибо, что быстро ответили", but
    "спасибо, а как проверить баланс" asks."""

    def conjunction(hit: Hit) -> bool:
        tokens, at = hit.norm.tokens, hit.first_token
        return tokens[at].text in _CONJUNCTIONS and at >= 1 and tokens[at - 1].text not in ("а", "и")

    return any(not (thanks and conjunction(hit)) for hit in questions)


def _addresses_members(text: str) -> bool:
    """Opens by asking the others ("у кого ...", "кто пробовал ...", "anyone here ...") or calling on
    someone by first name ("Марина, глянь в лс")."""
    opening = _OPENING.match(text.casefold())
    if opening is None:
        return False
    word = opening.group("word")
    if opening.group("two") in _SOMEONE:
        return False
    if word in _CALLING_ON or opening.group("two") in _CALLING_ON:
        return True
    return bool(opening.group("comma")) and any("Name" in p.tag for p in morphology("ru").parse(word)[:1])


def _kind(cues: dict[str, list[str]], asks: bool, words: int, has_letters: bool, to_members: bool) -> Kind:
    if "problem" in cues or ("severity" in cues and words > 3):
        return Kind.PROBLEM
    if "idea" in cues:
        return Kind.IDEA
    if not has_letters:
        return Kind.CHITCHAT  # stickers, emoji, "+1"
    if to_members and "knows" not in cues:
        return Kind.CHITCHAT
    if "chitchat" in cues and not asks:
        return Kind.CHITCHAT
    if asks or words >= 4:
        return Kind.QUESTION
    return Kind.CHITCHAT
