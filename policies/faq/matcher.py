"""Questions to knowledge-base entries, by two views of the text after the glossary:

- characters: n-gram TF-IDF (robust to typos, inflection and Ukrainian close to Russian), an entry scoring
  the cosine of its best phrasing, blended with that of all its phrasings together and, at less weight,
  its answers (the entry's topic, which no single phrasing holds whole);
- words: the share of the question's content words (lemmas, topic-less words dropped) that the entry's
  text covers, phrasings and answers in every language together (policies/faq/coverage.py).

An entry's score is the geometric mean of the two: a close phrasing that leaves the question's main word
unexplained ("тариф для планшета" against "какие есть тарифы") scores low, and so does a bag of the right
words in a phrasing far from every example. The mean keeps the 0..1 scale of a cosine.

scikit-learn's vectorizers and sparse matrix products do the work: with 1,000 entries a question costs
~5.5 ms at the median and ~9 ms at p99 on one core (bench/faq.py), most of it the word view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from policies.faq.coverage import Coverage
from policies.faq.glossary import Glossary
from policies.faq.kb import EntrySpec, KnowledgeBase
from policies.faq.words import Lemmatizer

# The topic's share of the character view. On the nine FAQ sets 0.3 keeps the share of direct answers that
# are right a point higher at the same answer rate (0.2 and 0.4 measured close, 0.5 lost answers): a near
# miss that copies one phrasing's wording ("как поменять пин-код на сим-карте") is further from the topic.
TOPIC = 0.3
# The weight of an entry's answers (every language) in its topic, beside its phrasings: the answer names what
# members ask about in words no phrasing has ("*107#", "APN", "QR-код"). On the nineteen FAQ sets 0.3 answered
# 0.3 points more with direct answers 0.1-0.2 points more often right, with and without the semantic extra;
# 0.5 measured the same.
ANSWER_IN_TOPIC = 0.3


@dataclass(frozen=True, slots=True)
class Scored:
    entry: str
    score: float
    chars: float = 0.0  # the character n-gram view: best phrasing and topic
    words: float = 0.0  # the share of the question's words the entry covers


class Matcher:
    def __init__(self, kb: KnowledgeBase, glossary: Glossary) -> None:
        self._glossary = glossary
        self._lemmas = Lemmatizer(glossary.stop_words)
        self._ids = [entry.id for entry in kb.entries]
        owners, texts = [], []
        for index, entry in enumerate(kb.entries):
            for question in entry.questions:
                owners.append(index)
                texts.append(glossary(question))
        self._owner = np.array(owners)
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(texts)
        by_entry = sparse.csr_matrix(
            (np.ones(len(owners)), (owners, np.arange(len(owners)))), shape=(len(self._ids), len(owners))
        )
        answers = self._vectorizer.transform([glossary(" ".join(_answers(entry))) for entry in kb.entries])
        self._topics = normalize(normalize(by_entry @ self._matrix) + ANSWER_IN_TOPIC * normalize(answers))
        self._coverage = Coverage([self._words(entry) for entry in kb.entries])

    def _words(self, entry: EntrySpec) -> set[str]:
        """All an entry says, word by word: its phrasings and its answers in every language (an English
        question meets the English answer's words where the glossary has no Russian for them). Counting
        the answer's words at less than the phrasings' was tried and lost as many answers as it saved."""
        text = " ".join([*entry.questions, *_answers(entry)])
        return set(self._lemmas.words(self._glossary(text)))

    def rank(self, text: str, top: int = 3) -> list[Scored]:
        """The `top` best entries, best first, with their score (0..1)."""
        plain = self._glossary(text)
        query = self._vectorizer.transform([plain])
        chars = np.zeros(len(self._ids))
        if query.nnz:
            similarity = (self._matrix @ query.T).toarray().ravel()
            np.maximum.at(chars, self._owner, similarity)
            topic = (self._topics @ query.T).toarray().ravel()
            chars = (1 - TOPIC) * chars + TOPIC * topic
        lemmas = self._lemmas.words(plain)
        # A question of topic-less words only ("а где это?") has nothing to cover: characters decide.
        words = self._coverage(lemmas) if lemmas else chars
        best = np.sqrt(chars * words)
        order = np.argsort(-best, kind="stable")[:top]
        return [
            Scored(self._ids[i], float(best[i]), float(chars[i]), float(words[i]))
            for i in order
            if best[i] > 0
        ]


def _answers(entry: EntrySpec) -> list[str]:
    return [entry.answer, *entry.answers.values()]
