"""The opinion head: does a text express an opinion, and which — negative, mixed or positive?

molva-sentiment's classifier learned "neutral" from 3-star reviews, where it means a *mixed* verdict. Most mentions of
a brand in social media ("#Автокредит в россельхозбанк", news, ads, questions) express no opinion at all, and a
3-class model calls them positive or negative. The opinion head separates the two: a multinomial logistic regression
over four labels (:data:`OPINION_LABELS`) that reads what the classifier's forward pass already computed (its class
log-probabilities and its last layer's ``<s>`` and mean token states), plus the kind of text — a whole ``review``, a
review ``sentence`` or a social-media ``mention`` — whose base rates of "no opinion" differ by an order of magnitude.
It costs one small matrix product per text: no second encoder pass. Trained by ``molva models train-opinion``
(:mod:`nlp.sentiment.opinion_train`); the scheme is documented in docs/models.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: The four labels, in the order of :class:`OpinionHead`'s probability columns.
OPINION_LABELS = ("negative", "mixed", "positive", "none")
#: What a text is; the head takes it as input (one-hot).
KINDS = ("review", "sentence", "mention")
OPINION_FILE = "opinion.json"


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"text kind must be one of {KINDS}, not {kind!r}")
    return kind


def head_inputs(probs: np.ndarray, features: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
    """The head's input rows: ``[log p(neg, neu, pos) | features | one-hot kind]``."""
    logp = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-6, 1.0))
    onehot = np.zeros((len(kinds), len(KINDS)))
    for row, kind in enumerate(kinds):
        onehot[row, KINDS.index(check_kind(kind))] = 1.0
    return np.hstack([logp, np.asarray(features, dtype=np.float64), onehot])


@dataclass(frozen=True)
class OpinionHead:
    """Standardise, then a linear map to four logits; softmax gives (p_negative, p_mixed, p_positive, p_none)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (4, n_inputs)
    intercept: np.ndarray  # (4,)
    info: dict[str, Any]

    def predict_proba(self, probs: np.ndarray, features: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
        x = (head_inputs(probs, features, kinds) - self.mean) / self.scale
        logits = x @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        out = np.exp(logits)
        return np.asarray(out / out.sum(axis=1, keepdims=True), dtype=np.float32)

    def save(self, path: Path) -> None:
        payload = {
            "labels": list(OPINION_LABELS),
            "kinds": list(KINDS),
            "info": self.info,
            "mean": _floats(self.mean),
            "scale": _floats(self.scale),
            "intercept": _floats(self.intercept),
            "coef": [_floats(row) for row in self.coef],
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, path: Path) -> OpinionHead:
        data = json.loads(path.read_text())
        if tuple(data["labels"]) != OPINION_LABELS or tuple(data["kinds"]) != KINDS:
            raise ValueError(f"{path}: opinion head for labels {data['labels']} / kinds {data['kinds']}, expected "
                             f"{list(OPINION_LABELS)} / {list(KINDS)}")  # fmt: skip
        coef = np.array(data["coef"], dtype=np.float64)
        mean = np.array(data["mean"], dtype=np.float64)
        if coef.shape != (len(OPINION_LABELS), len(mean)):
            raise ValueError(f"{path}: coef has shape {coef.shape}, expected (4, {len(mean)})")
        return cls(mean, np.array(data["scale"], dtype=np.float64), coef,
                   np.array(data["intercept"], dtype=np.float64), dict(data.get("info", {})))  # fmt: skip

    @property
    def n_features(self) -> int:
        """Encoder features expected (inputs minus the 3 log-probabilities and the kind one-hot)."""
        return len(self.mean) - 3 - len(KINDS)


def _floats(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values).ravel()]
