"""The sentiment interface every backend implements, and the mapping of model labels onto Molva's scheme.

Molva's scheme has four labels (:data:`LABELS`): a text expresses a ``negative``, ``mixed`` or ``positive`` opinion,
or ``none`` (news, ads, questions: most social-media mentions). A prediction carries the four probabilities and
``score = p_positive - p_negative`` in [-1, 1]. A classifier itself has 2, 3 or 5 classes: 2-class models
(negative/positive) give ``p_mixed = 0``; 3-class models' middle class is read as mixed; 5-class star models fold 1–2
stars into negative, 3 into mixed and 4–5 into positive. Only a model with an opinion head
(:mod:`nlp.sentiment.opinion`, molva-sentiment has one) gives ``p_none``; without one, ``p_none = 0``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlp.sentiment.opinion import OpinionHead

#: Molva's labels, in the order of the probability columns.
LABELS = ("negative", "mixed", "positive", "none")


@dataclass(frozen=True)
class Prediction:
    """One text's sentiment."""

    label: str
    p_negative: float
    p_mixed: float
    p_positive: float
    p_none: float = 0.0

    @property
    def score(self) -> float:
        """``p_positive - p_negative``, in [-1, 1]."""
        return self.p_positive - self.p_negative

    @property
    def has_opinion(self) -> bool:
        return self.label != "none"

    @property
    def probabilities(self) -> dict[str, float]:
        """Probabilities by label name."""
        return dict(zip(LABELS, (self.p_negative, self.p_mixed, self.p_positive, self.p_none), strict=True))

    @classmethod
    def from_probs(cls, probs: Sequence[float]) -> Prediction:
        """Build from (p_negative, p_mixed, p_positive[, p_none]); the label is the most probable class."""
        p = [float(x) for x in probs] + [0.0] * (4 - len(probs))
        return cls(LABELS[int(np.argmax(p))], p[0], p[1], p[2], p[3])


NO_OPINION_FOR_EMPTY = Prediction("none", 0.0, 0.0, 0.0, 1.0)


class SentimentModel(ABC):
    """Classifies texts in batches. ``name`` and ``version`` identify the model in the warehouse."""

    name: str
    version: str
    #: The four-label head, when the model has one (it reads :meth:`predict_features`).
    opinion: OpinionHead | None = None

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """An ``(n, 3)`` array of the classifier's (p_negative, p_neutral, p_positive); texts are cleaned, non-empty."""

    def predict_features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`predict_proba` plus the opinion head's features (None: this backend computes none)."""
        return self.predict_proba(texts), None

    def predict(self, texts: Sequence[str], kind: str | Sequence[str] = "review") -> list[Prediction]:
        """Predictions in input order; blank texts are ``none`` without running the model.

        ``kind`` (one for all texts, or one per text) is ``review``, ``sentence`` or ``mention``: what the opinion
        head is told about each text (see :mod:`nlp.sentiment.opinion`).
        """
        from nlp.sentiment.opinion import check_kind
        from nlp.sentiment.text_prep import clean_text

        kinds = [check_kind(kind)] * len(texts) if isinstance(kind, str) else [check_kind(k) for k in kind]
        if len(kinds) != len(texts):
            raise ValueError(f"{len(kinds)} kinds for {len(texts)} texts")
        cleaned = [clean_text(t).text for t in texts]
        todo = [i for i, t in enumerate(cleaned) if t]
        out = [NO_OPINION_FOR_EMPTY] * len(cleaned)
        if todo:
            probs, features = self.predict_features([cleaned[i] for i in todo])
            if self.opinion is not None and features is not None:
                probs = self.opinion.predict_proba(
                    probs, features, [kinds[i] for i in todo], [cleaned[i] for i in todo]
                )
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
