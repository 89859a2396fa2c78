"""How much of a question an entry covers: the IDF-weighted share of the question's content words that the
entry's text (its phrasings and its answers in every language) contains. A question about something the
knowledge base never mentions ("тариф для планшета", "оплатить криптой") keeps a word no entry has, and
that word weighs the most, so no entry covers it well: that is what tells a near miss from a match, which
character n-grams alone cannot.

A word counts as found when a word of the entry is close to it in character bigrams and trigrams (typos,
forms the dictionaries do not know, Ukrainian lemmas folded towards Russian), by that closeness.

One sparse product per question finds the close words among the whole vocabulary; the rest is a handful of
small row operations, well under a millisecond with 1,000 entries."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# Below this cosine two words are different words. Forms of one word sit well above it ("баланс"/"балансе"
# 0.85, "счет"/"счета" 0.74, "пополнити"/"пополнить" 0.87), words sharing a bigram or two well below it
# ("баланс"/"банк" 0.26, "тариф"/"тарелка" 0.35); a few neighbours of one root land between
# ("интернет"/"интерес" 0.56), which the IDF weights and the character view keep in check.
# 0.40 and 0.55 were measured too: each lost about as many right answers as it saved.
CLOSE = 0.45


class Coverage:
    def __init__(self, documents: Sequence[Collection[str]]) -> None:
        """`documents`: per entry, its content words (a set)."""
        self._entries = len(documents)
        vocabulary = sorted({word for words in documents for word in words})
        index = {word: i for i, word in enumerate(vocabulary)}
        rows = [index[w] for words in documents for w in words]
        cols = [e for e, words in enumerate(documents) for _ in words]
        self._has = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(vocabulary), self._entries)
        )
        entries_with = np.diff(self._has.indptr)
        self._idf = np.log((self._entries + 1) / (entries_with + 1)) + 1
        self._unknown = np.log(self._entries + 1) + 1  # a word no entry has weighs like the rarest
        self._spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3))
        self._vocabulary = self._spelling.fit_transform(vocabulary or [""]).T.tocsr()

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        """Per entry, the share (0..1) of `words` it covers."""
        covered = np.zeros(self._entries)
        words = list(dict.fromkeys(words))
        if not words or not self._entries:
            return covered
        closeness = (self._spelling.transform(words) @ self._vocabulary).tocsr()
        total = 0.0
        for k in range(len(words)):
            start, end = closeness.indptr[k], closeness.indptr[k + 1]
            similar, near = closeness.indices[start:end], closeness.data[start:end]
            keep = near >= CLOSE
            similar, near = similar[keep], near[keep]
            if not len(similar):
                total += self._unknown
                continue
            weight = self._idf[similar[np.argmax(near)]]
            total += weight
            # Each entry earns the closeness of its closest word: plain index arrays, no sparse temporaries.
            starts, ends = self._has.indptr[similar], self._has.indptr[similar + 1]
            entries = np.concatenate([self._has.indices[a:b] for a, b in zip(starts, ends, strict=True)])
            found = np.zeros(self._entries)
            np.maximum.at(found, entries, np.repeat(near, ends - starts))
            covered += weight * found
        return covered / total
