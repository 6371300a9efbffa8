"""Fit the assigner's decision parameters on labelled sentences, and score assignments with micro-F1.

Only a handful of numbers are fitted (a threshold, the lemma weight, the centroid weight and, optionally, one threshold
per topic with enough labelled sentences); the topics themselves stay defined by their seed phrases. Fit on one part
of the data and report on another (see :mod:`nlp.topics.absa` for the fixed split).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.topics.assign import TopicAssigner
from nlp.topics.taxonomy import Calibration

CENTROID_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
RELATIVE_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
LEMMA_WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.045, 0.06, 0.09, 0.12, 0.2)
MIN_TOPIC_SUPPORT = 30  # labelled sentences a topic needs before it gets its own threshold


@dataclass
class F1:
    """Micro-averaged precision, recall and F1 over (sentence, topic) pairs."""

    precision: float
    recall: float
    f1: float
    n_gold: int
    n_pred: int


def micro_f1(gold: Sequence[set[str]], predicted: Sequence[Sequence[str]]) -> F1:
    tp = sum(len(g & set(p)) for g, p in zip(gold, predicted, strict=True))
    n_pred = sum(len(set(p)) for p in predicted)
    n_gold = sum(len(g) for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return F1(precision, recall, f1, n_gold, n_pred)


def _best_threshold(scores: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Threshold maximising micro-F1 of a score matrix against a 0/1 gold matrix (exact sweep over sorted scores)."""
    flat = scores.ravel()
    labels = gold.ravel().astype(np.int64)
    order = np.argsort(-flat)
    tp = np.cumsum(labels[order])
    n_pred = np.arange(1, len(flat) + 1)
    f1 = 2 * tp / (n_pred + labels.sum())
    best = int(np.argmax(f1))
    lower = flat[order[best + 1]] if best + 1 < len(flat) else flat[order[best]] - 1e-6
    return float((flat[order[best]] + lower) / 2), float(f1[best])


def calibrate(
    assigner: TopicAssigner,
    vectors: np.ndarray,
    lemmas: Sequence[Sequence[str]],
    gold: Sequence[set[str]],
    *,
    per_topic: bool = True,
    fitted_on: str = "",
) -> Calibration:
    """Grid over centroid and lemma weights, exact sweep over the threshold; then optional per-topic thresholds."""
    ids = assigner.topic_ids
    gold_matrix = np.array([[t in g for t in ids] for g in gold], dtype=bool)
    lemma = assigner.lemma_overlap(lemmas)
    best: tuple[float, float, float, float, float] = (-1.0, 0.0, 0.0, 0.0, 0.0)
    for cw in CENTROID_WEIGHTS:
        for rw in RELATIVE_WEIGHTS:
            sim = assigner.similarity(vectors, cw, rw)
            for lw in LEMMA_WEIGHTS:
                threshold, f1 = _best_threshold(sim + lw * lemma, gold_matrix)
                if f1 > best[0]:
                    best = (f1, cw, rw, lw, threshold)
    _, cw, rw, lw, threshold = best
    topic_thresholds: dict[str, float] = {}
    if per_topic:
        scores = assigner.similarity(vectors, cw, rw) + lw * lemma
        for k, topic_id in enumerate(ids):
            if gold_matrix[:, k].sum() >= MIN_TOPIC_SUPPORT:
                topic_thresholds[topic_id] = round(_best_threshold(scores[:, [k]], gold_matrix[:, [k]])[0], 4)
    return Calibration(
        threshold=round(threshold, 4),
        lemma_weight=lw,
        centroid_weight=cw,
        relative_weight=rw,
        fitted_on=fitted_on,
        per_topic=topic_thresholds,
    )
