"""Fit the assigner's decision parameters on labelled sentences, and score assignments with micro-F1.

Only a handful of numbers are fitted; the topics themselves stay defined by their seed phrases. Two methods:

- ``logistic`` (the default): a logistic regression over the assigner's evidence features (:data:`FEATURES`, all
  derived from the seed phrases) for each topic with at least :data:`MIN_TOPIC_SUPPORT` labelled sentences, one shared
  regression (``"*"``) for the others and for topics added later, and one probability threshold maximising micro-F1.
  About 11 numbers per topic. Measured on SemEval-2016 restaurants (5-fold cross-validation inside the calibration
  halves) it gains 5 points of micro-F1 over the linear method: the relative and gap features let each topic learn how
  much "closer than the other topics" matters, which one hand-set formula cannot.
- ``linear``: the earlier hand-set score (a grid over the lemma, centroid and relative weights, an exact sweep over
  the threshold, optional per-topic thresholds).

Report on data the fit did not see: :mod:`nlp.topics.evaluate` cross-validates over the whole training file (folds
by review) and chooses C and the threshold on the out-of-fold probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.topics.assign import FEATURES, FEATURES_WITH_EXEMPLARS, TopicAssigner
from nlp.topics.exemplars import Exemplars
from nlp.topics.taxonomy import Calibration

CENTROID_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
RELATIVE_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
LEMMA_WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.045, 0.06, 0.09, 0.12, 0.2)
MIN_TOPIC_SUPPORT = 30  # labelled sentences a topic needs before it gets its own threshold (linear method)
# ... or its own logistic weights: 10 beat 30 in cross-validation inside the calibration halves (+0.008 ru, +0.004 en
# micro-F1, all of it LOCATION with 12-21 labelled sentences; C = 1 keeps 11 numbers from overfitting them).
MIN_WEIGHTS_SUPPORT = 10
REGULARISATION = 1.0  # sklearn's C on standardised features; 0.1 and 1.0 differed by < 0.01 F1 in cross-validation


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
    method: str = "logistic",
    regularisation: float = REGULARISATION,
    threshold: float | None = None,
    exemplars: Exemplars | None = None,
    groups: Sequence[str] | None = None,
) -> Calibration:
    """Fit the decision parameters on labelled sentences (``method``: ``logistic`` or ``linear``, see the module).

    ``per_topic=False`` fits global parameters only (the shared row, or no per-topic thresholds): what a taxonomy
    whose topics have no labelled data of their own should use. ``exemplars`` (logistic only) adds the exemplar
    features; ``groups`` (each sentence's review) keeps a sentence's own review out of its neighbours when the
    sentences are the exemplars themselves.
    """
    if method == "logistic":
        return fit_logistic(
            assigner, vectors, lemmas, gold, per_topic=per_topic, fitted_on=fitted_on,
            regularisation=regularisation, threshold=threshold, exemplars=exemplars, groups=groups,
        )  # fmt: skip
    if exemplars is not None:
        raise ValueError("exemplar features need the logistic method")
    if method != "linear":
        raise ValueError(f"unknown calibration method {method!r}; use 'logistic' or 'linear'")
    return fit_linear(assigner, vectors, lemmas, gold, per_topic=per_topic, fitted_on=fitted_on)


def _logistic_row(
    features: np.ndarray, gold: np.ndarray, mean: np.ndarray, std: np.ndarray, c: float = REGULARISATION
) -> list[float]:
    """Weights on the raw features plus the bias (last) of a regression fitted on standardised features."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000).fit((features - mean) / std, gold)
    coef = model.coef_[0] / std
    bias = float(model.intercept_[0] - (coef * mean).sum())
    return [round(float(w), 5) for w in coef] + [round(bias, 5)]


def _gold_matrix(ids: Sequence[str], gold: Sequence[set[str]]) -> np.ndarray:
    """``(sentences, topics)`` booleans: is topic ``ids[k]`` among sentence ``i``'s gold categories."""
    return np.array([[t in g for t in ids] for g in gold], dtype=bool)


def fit_logistic(
    assigner: TopicAssigner,
    vectors: np.ndarray,
    lemmas: Sequence[Sequence[str]],
    gold: Sequence[set[str]],
    *,
    per_topic: bool = True,
    fitted_on: str = "",
    regularisation: float = REGULARISATION,
    threshold: float | None = None,
    exemplars: Exemplars | None = None,
    groups: Sequence[str] | None = None,
) -> Calibration:
    """Shared and per-topic logistic weights over :data:`FEATURES` (and the exemplar features when ``exemplars`` are
    given), then the micro-F1-best probability threshold.

    One global threshold: per-topic thresholds on top of per-topic weights lost 0.005-0.007 F1 in cross-validation.
    ``threshold`` fixes it instead (the one chosen on out-of-fold probabilities, :mod:`nlp.topics.evaluate`);
    ``regularisation`` is sklearn's C.
    """
    ids = assigner.topic_ids
    gold_matrix = _gold_matrix(ids, gold)
    share = exemplars.share(vectors, exclude_groups=groups) if exemplars is not None else None
    features = assigner.features(vectors, assigner.lemma_overlap(lemmas), share)
    flat = features.reshape(-1, features.shape[-1])
    mean, std = flat.mean(axis=0), flat.std(axis=0)
    std[std == 0] = 1.0
    weights = {"*": _logistic_row(flat, gold_matrix.ravel(), mean, std, regularisation)}
    if per_topic:
        for k, topic_id in enumerate(ids):
            n_pos = int(gold_matrix[:, k].sum())
            if n_pos >= MIN_WEIGHTS_SUPPORT and len(gold_matrix) - n_pos >= MIN_WEIGHTS_SUPPORT:
                weights[topic_id] = _logistic_row(features[:, k], gold_matrix[:, k], mean, std, regularisation)
    if threshold is None:
        threshold, _ = _best_threshold(assigner.fitted_scores(features, weights), gold_matrix)
    return Calibration(
        threshold=round(threshold, 5), fitted_on=fitted_on, weights=weights,
        features=list(FEATURES if exemplars is None else FEATURES_WITH_EXEMPLARS),
        exemplars=(exemplars.source or None) if exemplars is not None else None,
    )  # fmt: skip


def fit_linear(
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
    gold_matrix = _gold_matrix(ids, gold)
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
