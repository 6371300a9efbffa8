"""Evaluate a sentiment model on labelled files or on the standard held-out sets (``molva eval sentiment``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.sentiment.base import SentimentModel
from nlp.sentiment.datasets import EVAL_SETS, load_set
from nlp.sentiment.metrics import classification_report


def load_labelled(path: Path, text_column: str = "text", label_column: str = "label") -> pd.DataFrame:
    """A labelled file (Parquet/CSV/JSONL) with text and label (negative/neutral/positive) columns."""
    from nlp.sentiment.table_io import InputError, read_table

    frame = read_table(path, text_column).frame
    if label_column not in frame.columns:
        raise InputError(f"{path}: no column {label_column!r} with gold labels")
    labels = frame[label_column].astype(str).str.lower().str.strip()
    bad = sorted(set(labels) - {"negative", "neutral", "positive"})
    if bad:
        raise InputError(f"{path}: column {label_column!r} has labels other than negative/neutral/positive: {bad[:5]}")
    return pd.DataFrame({"text": frame[text_column], "label": labels})


def evaluate_sets(model: SentimentModel, sets: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Report per set: accuracy, macro-F1, per-class figures, and texts per second."""
    import numpy as np

    results: dict[str, Any] = {}
    for name, frame in sets.items():
        started = time.perf_counter()
        preds = model.predict(frame["text"].tolist())
        seconds = time.perf_counter() - started
        probs = np.array([[p.p_negative, p.p_neutral, p.p_positive] for p in preds])
        report = classification_report(frame["label"].tolist(), probs)
        report["texts_per_second"] = round(len(frame) / seconds, 1) if seconds else None
        results[name] = report
    return results


def standard_sets(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """The held-out sets the model is judged on: RuReviews dev, the UCI held-out half, SemEval test-half sentences."""
    return {name: load_set(name, data_dir) for name in EVAL_SETS}
