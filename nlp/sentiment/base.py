"""The sentiment interface every backend implements, and the mapping of model labels onto negative/neutral/positive.

A prediction always carries three probabilities and ``score = p_positive - p_negative`` in [-1, 1], whatever the
model's own label set: 2-class models (negative/positive) give ``p_neutral = 0``; 5-class star models fold 1–2 stars
into negative, 3 into neutral and 4–5 into positive.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Prediction:
    """One text's sentiment."""

    label: str
    p_negative: float
    p_neutral: float
    p_positive: float

    @property
    def score(self) -> float:
        """``p_positive - p_negative``, in [-1, 1]."""
        return self.p_positive - self.p_negative

    @property
    def probabilities(self) -> dict[str, float]:
        """Probabilities by label name."""
        return {"negative": self.p_negative, "neutral": self.p_neutral, "positive": self.p_positive}

    @classmethod
    def from_probs(cls, probs: Sequence[float]) -> Prediction:
        """Build from (p_negative, p_neutral, p_positive); the label is the most probable class."""
        p = [float(x) for x in probs]
        return cls(LABELS[int(np.argmax(p))], p[0], p[1], p[2])


NEUTRAL_FOR_EMPTY = Prediction("neutral", 0.0, 1.0, 0.0)


class SentimentModel(ABC):
    """Classifies texts in batches. ``name`` and ``version`` identify the model in the warehouse."""

    name: str
    version: str

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """An ``(n, 3)`` array of (p_negative, p_neutral, p_positive); texts are already cleaned and non-empty."""

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Predictions in input order; blank texts get a defined neutral prediction without running the model."""
        from nlp.sentiment.text_prep import clean_text

        cleaned = [clean_text(t).text for t in texts]
        todo = [i for i, t in enumerate(cleaned) if t]
        out = [NEUTRAL_FOR_EMPTY] * len(cleaned)
        if todo:
            probs = self.predict_proba([cleaned[i] for i in todo])
            for i, row in zip(todo, probs, strict=True):
                out[i] = Prediction.from_probs(row)
        return out


_STARS = re.compile(r"^\s*([1-5])\s*(?:star|stars|звезд\w*)?\s*$")


def _one(label: str, position: int, n_classes: int) -> int:
    """Target index (0 neg, 1 neu, 2 pos) of one model class."""
    name = label.strip().lower()
    if "neg" in name or name in ("bad", "плохо", "негатив"):
        return 0
    if "neu" in name or name in ("none", "нейтрально"):
        return 1
    if "pos" in name or name in ("good", "хорошо", "позитив"):
        return 2
    stars = _STARS.match(name)
    if stars and n_classes == 5:
        return (0, 0, 1, 2, 2)[int(stars.group(1)) - 1]
    # Generic LABEL_i names: assume the conventional order for 2, 3 and 5 classes.
    if n_classes == 2:
        return (0, 2)[position]
    if n_classes == 3:
        return position
    if n_classes == 5:
        return (0, 0, 1, 2, 2)[position]
    raise ValueError(f"cannot map label {label!r} of a {n_classes}-class model onto negative/neutral/positive")


def label_projection(id2label: Mapping[int, str]) -> np.ndarray:
    """An ``(n_classes, 3)`` 0/1 matrix: model class probabilities @ matrix = (p_neg, p_neu, p_pos)."""
    n = len(id2label)
    if n not in (2, 3, 5):
        raise ValueError(f"sentiment models need 2, 3 or 5 classes; this one has {n}: {dict(id2label)}")
    proj = np.zeros((n, 3), dtype=np.float32)
    for i in range(n):
        proj[i, _one(str(id2label[i]), i, n)] = 1.0
    return proj
