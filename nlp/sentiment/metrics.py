"""Accuracy, macro-F1 and per-class figures for sentiment predictions.

Binary data sets (no neutral gold labels) are scored on the sign of ``p_positive - p_negative``: a 3-class model
is not penalised for a "neutral" it could not have been asked for, and the decision is still the model's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LABELS = ("negative", "neutral", "positive")


def decide(gold: list[str], probs: np.ndarray) -> list[str]:
    """Predicted labels; for binary gold sets, the larger of p_negative and p_positive."""
    if "neutral" in set(gold):
        return [LABELS[i] for i in probs.argmax(1)]
    return ["positive" if p[2] >= p[0] else "negative" for p in probs]


def classification_report(gold: list[str], probs: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1 (over the gold label set), macro-F1 of positive and negative, and per-class figures."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    pred = decide(gold, probs)
    labels = [label for label in LABELS if label in set(gold)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
        # SentiRuEval's measure: the mean F1 of positive and negative only (neutral errors still cost precision)
        "macro_f1_pos_neg": round(
            float(f1_score(gold, pred, labels=["negative", "positive"], average="macro", zero_division=0)), 4
        ),
        "per_class": {
            label: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, label in enumerate(labels)
        },
    }


def opinion_report(gold: list[str], probs: np.ndarray) -> dict[str, Any]:
    """Figures for the four-label scheme (gold and ``probs`` columns in :data:`nlp.sentiment.base.LABELS` order).

    ``labels4``: accuracy, macro-F1 over the gold labels present and per-class figures. ``three_class``: the
    classic view in which "neutral" is mixed or none (how RuReviews, SentiRuEval and SemEval-2017 are scored),
    via :func:`classification_report` on (p_negative, p_mixed + p_none, p_positive): macro-F1, macro-F1 of
    positive and negative; sets without neutral gold are scored on the sign of p_positive − p_negative.
    """
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    from nlp.sentiment.base import LABELS as LABELS4

    probs = np.asarray(probs, dtype=float)
    pred = [LABELS4[i] for i in probs.argmax(1)]
    present = [label for label in LABELS4 if label in set(gold)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=present, zero_division=0)
    three_gold = ["neutral" if g in ("mixed", "none") else g for g in gold]
    three = np.column_stack([probs[:, 0], probs[:, 1] + probs[:, 3], probs[:, 2]])
    return {
        "n": len(gold),
        "labels4": {
            "accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4),
            "predicted": {label: int(sum(x == label for x in pred)) for label in LABELS4},
            "per_class": {
                label: {
                    "precision": round(float(p[i]), 4),
                    "recall": round(float(r[i]), 4),
                    "f1": round(float(f[i]), 4),
                    "support": int(s[i]),
                }
                for i, label in enumerate(present)
            },
        },
        "three_class": classification_report(three_gold, three),
    }
