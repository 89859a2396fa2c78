"""Questions to knowledge-base entries: character n-gram TF-IDF over every phrasing (robust to typos,
inflection and Ukrainian close to Russian), an entry scoring the best of its phrasings.

scikit-learn's vectorizer and a sparse matrix product do the work: with 1,000 entries a question costs one
transform and one product over a few thousand rows, well under a millisecond."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from policies.faq.glossary import Glossary
from policies.faq.kb import KnowledgeBase
from policies.faq.semantic import SemanticScorer


@dataclass(frozen=True, slots=True)
class Scored:
    entry: str
    score: float


class Matcher:
    def __init__(self, kb: KnowledgeBase, glossary: Glossary, semantic: SemanticScorer | None = None) -> None:
        self._glossary = glossary
        self._semantic = semantic
        self._ids = [entry.id for entry in kb.entries]
        owners, texts = [], []
        for index, entry in enumerate(kb.entries):
            for question in entry.questions:
                owners.append(index)
                texts.append(glossary(question))
        self._owner = np.array(owners)
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(texts)

    def rank(self, text: str, top: int = 3) -> list[Scored]:
        """The `top` best entries, best first, with their cosine similarity (0..1); with the semantic
        matcher, the mean of both scores."""
        query = self._vectorizer.transform([self._glossary(text)])
        best = np.zeros(len(self._ids))
        if query.nnz:
            similarity = (self._matrix @ query.T).toarray().ravel()
            np.maximum.at(best, self._owner, similarity)
        if self._semantic is not None:
            best = (best + self._semantic.scores(text)) / 2
        order = np.argsort(-best)[:top]
        return [Scored(self._ids[i], float(best[i])) for i in order if best[i] > 0]
