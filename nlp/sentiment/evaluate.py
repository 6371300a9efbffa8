"""Evaluate a sentiment model on labelled files or on the standard held-out sets (``molva eval sentiment``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.sentiment.base import LABELS, SentimentModel
from nlp.sentiment.datasets import OPINION_EVAL_SETS, load_opinion_set
from nlp.sentiment.metrics import opinion_report

#: How a file's gold labels read in the four-label scheme: ``neutral`` is ambiguous, so the file says which.
NEUTRAL_MEANS = ("mixed", "none")


def load_labelled(
    path: Path, text_column: str = "text", label_column: str = "label", neutral: str = "mixed"
) -> pd.DataFrame:
    """A labelled file (Parquet/CSV/JSONL) with text and label columns; labels are negative/mixed/positive/none
    or negative/neutral/positive, where ``neutral`` is read as ``neutral`` says (mixed verdict or no opinion)."""
    from nlp.sentiment.table_io import InputError, read_table

    if neutral not in NEUTRAL_MEANS:
        raise InputError(f"neutral must mean one of {NEUTRAL_MEANS}, not {neutral!r}")
    frame = read_table(path, text_column).frame
    if label_column not in frame.columns:
        raise InputError(f"{path}: no column {label_column!r} with gold labels")
    labels = frame[label_column].astype(str).str.lower().str.strip().replace({"neutral": neutral})
    bad = sorted(set(labels) - set(LABELS))
    if bad:
        raise InputError(
            f"{path}: column {label_column!r} has labels other than negative/neutral/mixed/positive/none: {bad[:5]}"
        )
    return pd.DataFrame({"text": frame[text_column], "label": labels})


def evaluate_sets(model: SentimentModel, sets: dict[str, tuple[str, pd.DataFrame]]) -> dict[str, Any]:
    """Report per set (``name -> (kind, frame)``): the four-label and the three-class figures, and texts/s."""
    import numpy as np

    results: dict[str, Any] = {}
    for name, (kind, frame) in sets.items():
        started = time.perf_counter()
        preds = model.predict(frame["text"].tolist(), kind=kind)
        seconds = time.perf_counter() - started
        probs = np.array([[p.p_negative, p.p_mixed, p.p_positive, p.p_none] for p in preds])
        report = opinion_report(frame["label"].tolist(), probs)
        report["kind"] = kind
        report["texts_per_second"] = round(len(frame) / seconds, 1) if seconds else None
        results[name] = report
    return results


def standard_sets(data_dir: Path | None = None) -> dict[str, tuple[str, pd.DataFrame]]:
    """The held-out sets the model is judged on (none of them trained on): RuReviews dev, the UCI held-out half, the
    SemEval-2016 test-half sentences (with and without opinions), the dev splits of the three tweet sets."""
    return {name: load_opinion_set(name, data_dir) for name in OPINION_EVAL_SETS}
