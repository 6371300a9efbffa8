"""Complaint or praise: the polarity of a sentence that mentions a topic, from the sentiment model.

The topic stage does not classify sentiment itself: it reads ``sentence_sentiment`` rows in the warehouse, or calls
the sentiment model (:mod:`nlp.sentiment`) for ``molva tag`` and ``molva eval topics``. A polarity function is any
callable ``texts -> labels`` (negative|neutral|positive), so tests inject a trivial one.

The sentiment model's ``mixed`` class was learned on whole reviews (3-star RuReviews); its ``none`` (no opinion) on
tweets and restaurant sentences, but a sentence that names a topic is usually an opinion about it, implicit ones
included (:func:`topic_polarity`). So the decision can use the model's score
(p_positive − p_negative) with a neutral band calibrated on aspect-level gold (``Calibration.polarity_band``, fitted on
the SemEval calibration halves): positive above ``+band``, negative below ``−band``, neutral inside. ``None`` keeps the
model's own label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

PolarityFn = Callable[[list[str]], list[str]]

KIND_BY_POLARITY = {"negative": "complaint", "positive": "praise", "neutral": "neutral"}
BANDS = tuple(round(b, 3) for b in np.linspace(0.0, 0.9, 46))


def kind_of(polarity: str) -> str:
    """complaint / praise / neutral for a polarity label (anything unknown is a neutral mention)."""
    return KIND_BY_POLARITY.get(polarity, "neutral")


def topic_polarity(label: str, p_negative: float | None, p_mixed: float | None, p_positive: float | None) -> str:
    """How a sentence that names a topic leans: negative, neutral or positive.

    A sentence the topic stage assigns to a topic talks about it, and in a review an implicit complaint is told as
    a fact ("ждал доставку весь вечер, в итоге привезли после десяти"): the opinion head's ``none`` is right about
    its form but a CX analyst counts it as a complaint. So an opinion label is kept (``mixed`` → neutral), and a
    ``none`` sentence gets the most probable *opinion* label, ``p_none`` left out; a text with no opinion probability
    at all (blank) is neutral. Models without an opinion head never say ``none``: their label is kept, as before.
    """
    probs = [p_negative, p_mixed, p_positive]
    if label != "none" or any(p is None for p in probs):
        return KIND_TO_POLARITY.get(label, label)
    values = [float(p) for p in probs]  # type: ignore[arg-type]
    if max(values) <= 0.0:
        return "neutral"
    return ("negative", "neutral", "positive")[int(np.argmax(values))]


KIND_TO_POLARITY = {"mixed": "neutral", "none": "neutral"}


def label_from_score(label: str, score: float | None, band: float | None) -> str:
    """The polarity of a topic mention: the model's ``label``, or the side of the calibrated band ``score`` is on."""
    if band is None or score is None:
        return label
    if score > band:
        return "positive"
    if score < -band:
        return "negative"
    return "neutral"


class SentimentPolarity:
    """Polarity from Molva's sentiment model; callable as a :data:`PolarityFn`."""

    def __init__(self, model: str | None = None, *, band: float | None = None, batch_size: int = 32) -> None:
        from nlp.sentiment.registry import load_sentiment_model

        self.model = load_sentiment_model(model, batch_size=batch_size)
        self.band = band

    def predict(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        """Polarity labels (:func:`topic_polarity`) and scores (p_positive − p_negative)."""
        if not texts:
            return [], np.zeros(0)
        preds = self.model.predict(texts, kind="sentence")
        labels = [topic_polarity(p.label, p.p_negative, p.p_mixed, p.p_positive) for p in preds]
        return labels, np.array([p.score for p in preds], dtype=float)

    def __call__(self, texts: list[str]) -> list[str]:
        labels, scores = self.predict(texts)
        return [label_from_score(lab, float(s), self.band) for lab, s in zip(labels, scores, strict=True)]


def sentiment_polarity(model: str | None = None, *, band: float | None = None, batch_size: int = 32) -> PolarityFn:
    """A polarity function backed by Molva's sentiment model (``model`` is an id or path; None = built-in)."""
    return SentimentPolarity(model, band=band, batch_size=batch_size)


def fit_band(gold: Sequence[str], labels: Sequence[str], scores: Sequence[float]) -> tuple[float | None, float]:
    """The neutral band (or None = model labels) with the best accuracy against ``gold``, and that accuracy."""
    best: tuple[float | None, float] = (None, float(np.mean([g == p for g, p in zip(gold, labels, strict=True)])))
    for band in BANDS:
        acc = float(
            np.mean([g == label_from_score(lab, s, band) for g, lab, s in zip(gold, labels, scores, strict=True)])
        )
        if acc > best[1]:
            best = (band, acc)
    return best
