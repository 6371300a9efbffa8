"""``molva eval topics``: category detection micro-F1 and sentence polarity accuracy on SemEval-2016 restaurants.

Per language the training file is split by review (:func:`nlp.topics.absa.split_part`): the assigner's parameters are
calibrated on the ``calibration`` half and every reported figure comes from the ``test`` half.

Polarity accuracy follows SemEval's slot 3 on our 7 categories: for every gold (sentence, category, polarity) tuple of
the test half, the predicted polarity is the sentiment model's label for the whole sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.lemmas import lemmatize_many
from nlp.topics.absa import load_split
from nlp.topics.assign import TopicAssigner
from nlp.topics.calibrate import F1, calibrate, micro_f1
from nlp.topics.embedder import Embedder
from nlp.topics.polarity import PolarityFn
from nlp.topics.taxonomy import Calibration, Taxonomy


@dataclass
class LanguageResult:
    """What ``molva eval topics`` reports for one language."""

    language: str
    n_calibration: int
    n_test: int
    calibration: Calibration
    test: F1
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    polarity_accuracy: float | None = None
    n_polarity: int = 0


def _per_topic(ids: list[str], gold: list[set[str]], pred: list[list[str]]) -> dict[str, dict[str, float]]:
    out = {}
    for t in ids:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t in p)
        n_pred = sum(1 for p in pred if t in p)
        n_gold = sum(1 for g in gold if t in g)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        out[t] = {
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "n_gold": float(n_gold),
        }
    return out


def evaluate_language(
    taxonomy: Taxonomy,
    embedder: Embedder,
    data_dir: str | Path,
    language: str,
    polarity: PolarityFn | None = None,
    *,
    per_topic_thresholds: bool = True,
) -> LanguageResult:
    """Calibrate on one half, measure on the other."""
    parts = load_split(data_dir, language)
    assigner = TopicAssigner(taxonomy, embedder)
    encoded: dict[str, Any] = {}
    for name, sentences in parts.items():
        texts = [s.text for s in sentences]
        encoded[name] = (embedder.encode(texts), lemmatize_many(texts, [language] * len(texts), drop_stop_words=True))
    cal_vectors, cal_lemmas = encoded["calibration"]
    cal = calibrate(
        assigner,
        cal_vectors,
        cal_lemmas,
        [s.categories for s in parts["calibration"]],
        per_topic=per_topic_thresholds,
        fitted_on=f"SemEval-2016 {language} train, calibration half ({len(parts['calibration'])} sentences)",
    )
    test = parts["test"]
    vectors, lemmas = encoded["test"]
    scores = assigner.score([s.text for s in test], vectors=vectors, lemmas=lemmas, calibration=cal)
    predicted = scores.assigned(cal)
    gold = [s.categories for s in test]
    result = LanguageResult(
        language,
        len(parts["calibration"]),
        len(test),
        cal,
        micro_f1(gold, predicted),
        _per_topic(assigner.topic_ids, gold, predicted),
    )
    if polarity is not None:
        with_opinions = [s for s in test if s.opinions]
        labels = polarity([s.text for s in with_opinions])
        pairs = [(pol, label) for s, label in zip(with_opinions, labels, strict=True) for _, pol in s.opinions]
        result.n_polarity = len(pairs)
        result.polarity_accuracy = float(np.mean([g == p for g, p in pairs])) if pairs else None
    return result
