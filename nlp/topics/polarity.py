"""Sentence polarity for complaints and praise, taken from the sentiment model.

The topic stage does not classify sentiment itself: it reads ``sentence_sentiment`` rows in the warehouse, or calls
the sentiment model (:mod:`nlp.sentiment`) for ``molva tag`` and ``molva eval topics``. A polarity function is any
callable ``texts -> labels`` with labels negative|neutral|positive, so tests inject a trivial one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

PolarityFn = Callable[[list[str]], list[str]]

KIND_BY_POLARITY = {"negative": "complaint", "positive": "praise", "neutral": "neutral"}


def kind_of(polarity: str) -> str:
    """complaint / praise / neutral for a polarity label (anything unknown is a neutral mention)."""
    return KIND_BY_POLARITY.get(polarity, "neutral")


def _labels_from(result: Any, n: int) -> list[str]:
    """Accept the shapes a ``predict`` may return: a list of labels, of dicts or objects with ``label``, or a
    ``(labels, probabilities, scores)`` tuple."""
    if isinstance(result, tuple) and len(result) == 3 and len(result[0]) == n:
        return [str(x) for x in result[0]]
    if hasattr(result, "labels"):
        return [str(x) for x in result.labels]
    if hasattr(result, "columns") and "label" in getattr(result, "columns", []):
        return [str(x) for x in result["label"]]
    out = []
    for item in result:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.append(str(item["label"]))
        else:
            out.append(str(item.label))
    return out


def sentiment_polarity(model: str | None = None, *, batch_size: int = 32) -> PolarityFn:
    """A polarity function backed by Molva's sentiment model (``model`` is an id or path; None = built-in)."""
    from nlp.sentiment.registry import load_sentiment_model

    instance = load_sentiment_model(model, batch_size=batch_size)

    def predict(texts: list[str]) -> list[str]:
        if not texts:
            return []
        return _labels_from(instance.predict(texts), len(texts))

    return predict


def polarities(texts: Sequence[str], fn: PolarityFn | None) -> list[str]:
    """Labels for ``texts`` from ``fn``; every sentence is ``neutral`` when no polarity source is available."""
    if fn is None:
        return ["neutral"] * len(texts)
    return fn(list(texts))
