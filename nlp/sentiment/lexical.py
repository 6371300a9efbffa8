"""A lexical member of the opinion head: hashed character and word n-grams, TF-IDF, a logistic regression.

The encoder reads meaning; n-grams read the words customers use ("брак", "не пришёл", "#автокредит", "ужас"), spelling
variants and hashtags included. Averaged with the two feature members (:mod:`nlp.sentiment.opinion`), it adds what
the 6 trained encoder layers did not learn from 15,000 reviews; measured in docs/models.md. Hashing keeps it
vocabulary-free (nothing but the weights to store) and each text's vector independent of its batch neighbours.

Inputs: character n-grams 2-5 within word boundaries (2^19 buckets) and word 1-2-grams plus a ``kind<review|sentence|
mention>`` token (2^18 buckets), sublinear TF × IDF (fitted on the training texts), L2-normalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHAR_FEATURES = 2**19
WORD_FEATURES = 2**18
N_FEATURES = CHAR_FEATURES + WORD_FEATURES
REGULARISATION = 3.0  # sklearn's C on the L2-normalised TF-IDF rows


def _vectorisers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    char = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, alternate_sign=False, norm=None
    )
    word = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES, alternate_sign=False, norm=None,
        token_pattern=r"(?u)\b\w+\b",
    )  # fmt: skip
    return char, word


def counts(texts: Sequence[str], kinds: Sequence[str]) -> Any:
    """Sparse (n, :data:`N_FEATURES`) n-gram counts of cleaned texts, with the kind of each text as a word."""
    from scipy.sparse import hstack

    char, word = _vectorisers()
    tagged = [f"{t} kind{k}" for t, k in zip(texts, kinds, strict=True)]
    return hstack([char.transform(list(texts)), word.transform(tagged)]).tocsr()


def _tfidf(matrix: Any, idf: np.ndarray) -> Any:
    from sklearn.preprocessing import normalize

    out = matrix.astype(np.float64)
    out.data = np.log(out.data) + 1.0  # sublinear tf
    out = out.multiply(idf.reshape(1, -1)).tocsr()
    return normalize(out, norm="l2", copy=False)


@dataclass(frozen=True)
class LexicalMember:
    """Weights of the lexical member: ``coef`` (4, N_FEATURES), ``intercept`` (4,), ``idf`` (N_FEATURES,)."""

    coef: np.ndarray
    intercept: np.ndarray
    idf: np.ndarray

    def logits(self, texts: Sequence[str], kinds: Sequence[str]) -> np.ndarray:
        x = _tfidf(counts(texts, kinds), self.idf)
        return np.asarray(x @ self.coef.T.astype(np.float64) + self.intercept, dtype=np.float64)

    def tensors(self) -> dict[str, np.ndarray]:
        """For the head's safetensors file: the large tensors as fp16 (8 MB in all)."""
        return {
            "lexical.coef": self.coef.astype(np.float16),
            "lexical.intercept": self.intercept.astype(np.float32),
            "lexical.idf": self.idf.astype(np.float16),
        }

    @classmethod
    def from_tensors(cls, tensors: dict[str, np.ndarray]) -> LexicalMember | None:
        if "lexical.coef" not in tensors:
            return None
        coef, intercept, idf = tensors["lexical.coef"], tensors["lexical.intercept"], tensors["lexical.idf"]
        if coef.shape[1:] != (N_FEATURES,) or idf.shape != (N_FEATURES,) or intercept.shape != (coef.shape[0],):
            raise ValueError(f"lexical member has shapes {coef.shape} / {intercept.shape} / {idf.shape}")
        return cls(coef.astype(np.float32), intercept.astype(np.float64), idf.astype(np.float64))


def fit_lexical(
    texts: Sequence[str], kinds: Sequence[str], y: np.ndarray, w: np.ndarray, n_classes: int, c: float = REGULARISATION
) -> LexicalMember:
    """IDF over ``texts`` and a multinomial logistic regression (rows in class order 0..n_classes-1)."""
    from sklearn.linear_model import LogisticRegression

    matrix = counts(texts, kinds)
    df = np.bincount(matrix.indices, minlength=N_FEATURES)
    idf = np.log((1 + matrix.shape[0]) / (1 + df)) + 1.0
    clf = LogisticRegression(C=c, max_iter=300).fit(_tfidf(matrix, idf), y, sample_weight=w)
    order = [list(clf.classes_).index(i) for i in range(n_classes)]
    return LexicalMember(clf.coef_[order].astype(np.float32), clf.intercept_[order].astype(np.float64), idf)
