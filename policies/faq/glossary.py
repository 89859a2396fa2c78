"""The glossary that brings members' words (slang, Ukrainian, English) to the knowledge base's Russian before
the matcher compares them. One regular expression of escaped literal keys, so it is linear in the text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from policies.schema import Strict
from policies.yamlsource import PolicyError, load_yaml, validation_problems

DEFAULT_GLOSSARY = Path(__file__).parent.parent / "defaults" / "faq_glossary.yaml"
_NON_WORD = re.compile(r"[^\w]+")
_LATIN = re.compile(r"[a-z]+")
_CYRILLIC = re.compile(r"[а-яіїєґ]")


class GlossarySpec(Strict):
    schema_: Literal["modbot/glossary@1"] = Field(alias="schema")
    words: dict[str, str]
    stop_words: list[str] = Field(default_factory=list, description="words that carry no topic")


def plain(text: str) -> str:
    """Lower case, ё as е, punctuation and emoji as single spaces: the form both sides are compared in."""
    return _NON_WORD.sub(" ", text.casefold().replace("ё", "е").replace("_", " ")).strip()


class Glossary:
    def __init__(self, words: dict[str, str], stop_words: list[str] | tuple[str, ...] = ()) -> None:
        self.stop_words = frozenset(plain(w) for w in stop_words)
        self._replace = {plain(key.removeprefix("=")): plain(value) for key, value in words.items()}
        whole = {plain(key[1:]) for key in words if key.startswith("=")}
        # The longest key wins at one place. A whole-word key that is only a word's beginning there does not
        # match at all, so a shorter key may ("=за кордон" leaves "за кордоном" to "кордоном").
        keys = sorted(self._replace, key=len, reverse=True)
        alternatives = (re.escape(key) + (r"(?!\w)" if key in whole else "") for key in keys)
        self._pattern = re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")(\w*)") if keys else None
        self._beginnings = re.compile("|".join(map(re.escape, keys))) if keys else None

    def knows(self, word: str) -> bool:
        """Whether `word` (plain) is one the glossary has: a key's beginning or a stop word."""
        if word in self.stop_words:
            return True
        return self._beginnings is not None and self._beginnings.match(word) is not None

    def __call__(self, text: str) -> str:
        """`text` in plain form, with glossary words replaced."""
        text = plain(text)
        if self._pattern is None:
            return text
        return self._pattern.sub(self._substitute, text)

    def _substitute(self, match: re.Match[str]) -> str:
        value = self._replace[match.group(1)]
        rest = match.group(2)
        if _LATIN.fullmatch(rest) and _CYRILLIC.search(value[-1:]):
            return value  # an English ending ("-ing", "-s") means nothing after a Russian translation
        return value + rest


def load_glossary(path: Path = DEFAULT_GLOSSARY) -> Glossary:
    doc = load_yaml(path)
    try:
        spec = GlossarySpec.model_validate(doc.data)
    except ValidationError as exc:
        raise PolicyError(validation_problems(doc, exc, {"schema", "words", "stop_words"})) from exc
    return Glossary(spec.words, spec.stop_words)
