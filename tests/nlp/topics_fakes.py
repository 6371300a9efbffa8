"""Test doubles for the topic tests: a deterministic bag-of-lemmas embedder and a keyword polarity function."""

from __future__ import annotations

import hashlib

import numpy as np

from nlp.lemmas import lemmatize_many


class LemmaHashEmbedder:
    """Each content lemma maps to a fixed random unit vector; a text is the normalised sum of its lemmas' vectors.

    Texts that share lemmas are close, unrelated texts are nearly orthogonal: enough to test assignment, clustering
    and id stability without loading e5.
    """

    dim = 256

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, lemma: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(lemma.encode()).digest()[:4], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim)
        return v / np.linalg.norm(v)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, lemmas in enumerate(lemmatize_many(list(texts), drop_stop_words=True)):
            for lemma in lemmas:
                out[i] += self._vector(lemma)
            if not lemmas:
                out[i] += self._vector("<empty>")
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def keyword_polarity(texts: list[str]) -> list[str]:
    """negative when the text has a complaint word, positive for a praise word, else neutral."""
    out = []
    for text in texts:
        low = text.lower()
        if any(w in low for w in ("late", "rude", "задерж", "груб", "crash", "broken", "плох")):
            out.append("negative")
        elif any(w in low for w in ("great", "отличн", "friendly", "вежлив", "спасибо")):
            out.append("positive")
        else:
            out.append("neutral")
    return out
