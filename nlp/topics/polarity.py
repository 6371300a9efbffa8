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
from dataclasses import dataclass

import numpy as np

PolarityFn = Callable[[list[str]], list[str]]

KIND_BY_POLARITY = {"negative": "complaint", "positive": "praise", "neutral": "neutral"}
BANDS = tuple(round(b, 3) for b in np.linspace(0.0, 0.9, 46))


def kind_of(polarity: str) -> str:
    """complaint / praise / neutral for a polarity label (anything unknown is a neutral mention)."""
    return KIND_BY_POLARITY.get(polarity, "neutral")


def topic_polarity(
    label: str,
    p_negative: float | None,
    p_mixed: float | None,
    p_positive: float | None,
    review: Sequence[float | None] | None = None,
) -> str:
    """How a sentence that names a topic leans: negative, neutral or positive.

    A sentence the topic stage assigns to a topic talks about it, and in a review an implicit complaint is told as
    a fact ("ждал доставку весь вечер, в итоге привезли после десяти"): the opinion head's ``none`` is right about
    its form but a CX analyst counts it as a complaint. So:

    - ``negative`` and ``positive`` are kept;
    - an ambiguous sentence (``none`` or ``mixed``) is read in its review, as an analyst reads it: given ``review``,
      the review's own (p_negative, p_mixed, p_positive), the sentence leans to the larger of the summed
      probabilities (mixed → neutral). Measured on SemEval-2016 aspect polarity (docs/topics.md);
    - without a review, ``mixed`` is neutral and ``none`` gets its most probable *opinion* label, ``p_none`` left
      out;
    - a text with no opinion probability at all (blank) is neutral. Models without an opinion head never say
      ``none``: their label is kept, as before.
    """
    probs = [p_negative, p_mixed, p_positive]
    if any(p is None for p in probs):
        return KIND_TO_POLARITY.get(label, label)
    values = [float(p) for p in probs]  # type: ignore[arg-type]
    if label in ("none", "mixed") and review is not None and all(p is not None for p in review):
        values = [v + float(r) for v, r in zip(values, review, strict=True)]  # type: ignore[arg-type]
    elif label != "none":
        return KIND_TO_POLARITY.get(label, label)
    if max(values) <= 0.0:
        return "neutral"
    return ("negative", "neutral", "positive")[int(np.argmax(values))]


def topic_score(
    label: str, score: float | None, p_negative: float | None, p_positive: float | None,
    review: Sequence[float | None] | None = None,
) -> float | None:  # fmt: skip
    """The score the neutral band reads (p_positive − p_negative): for an ambiguous sentence read in its review
    (:func:`topic_polarity`), the mean of the sentence's and the review's."""
    if label not in ("none", "mixed") or review is None or None in (p_negative, p_positive, review[0], review[2]):
        return score
    return (float(p_positive) - float(p_negative) + float(review[2]) - float(review[0])) / 2  # type: ignore[arg-type]


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


@dataclass
class PolarityReading:
    """What :meth:`SentimentPolarity.classify` read: labels and scores of the rule, and the probabilities behind them
    ((n, 3) p_negative, p_mixed, p_positive of each sentence and, with reviews, of its review)."""

    labels: list[str]
    scores: np.ndarray
    sentence_probs: np.ndarray
    review_probs: np.ndarray | None


class SentimentPolarity:
    """Polarity from Molva's sentiment model; callable as a :data:`PolarityFn`."""

    def __init__(self, model: str | None = None, *, band: float | None = None, batch_size: int = 32) -> None:
        from nlp.sentiment.registry import load_sentiment_model

        self.model = load_sentiment_model(model, batch_size=batch_size)
        self.band = band

    def classify(self, texts: list[str], reviews: list[str] | None = None) -> PolarityReading:
        """One run of the model over ``texts`` (as sentences) and, when given, ``reviews`` (the whole review each
        sentence comes from, classified once per distinct text, as a review)."""
        if reviews is not None and texts and len(reviews) != len(texts):
            raise ValueError(f"{len(reviews)} reviews for {len(texts)} sentences")
        preds = self.model.predict(texts, kind="sentence") if texts else []
        context: list[tuple[float, float, float] | None] = [None] * len(texts)
        if reviews is not None and texts:
            distinct = list(dict.fromkeys(reviews))
            by_text = {
                t: (p.p_negative, p.p_mixed, p.p_positive)
                for t, p in zip(distinct, self.model.predict(distinct, kind="review"), strict=True)
            }
            context = [by_text[r] for r in reviews]
        labels = [
            topic_polarity(p.label, p.p_negative, p.p_mixed, p.p_positive, c)
            for p, c in zip(preds, context, strict=True)
        ]
        scores = [
            topic_score(p.label, p.score, p.p_negative, p.p_positive, c) for p, c in zip(preds, context, strict=True)
        ]
        sentence = np.array([[p.p_negative, p.p_mixed, p.p_positive] for p in preds], dtype=float).reshape(-1, 3)
        review = None if reviews is None else np.array(context, dtype=float).reshape(-1, 3)
        return PolarityReading(labels, np.array(scores, dtype=float), sentence, review)

    def predict(self, texts: list[str], reviews: list[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Polarity labels (:func:`topic_polarity`) and scores (:func:`topic_score`), see :meth:`classify`."""
        reading = self.classify(texts, reviews)
        return reading.labels, reading.scores

    def probabilities(self, texts: list[str], reviews: list[str] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """(n, 3) p_negative, p_mixed, p_positive of each sentence, and of its review when ``reviews`` are given
        (the inputs of :mod:`nlp.topics.polarity_model`)."""
        reading = self.classify(texts, reviews)
        return reading.sentence_probs, reading.review_probs

    def __call__(self, texts: list[str], reviews: list[str] | None = None) -> list[str]:
        labels, scores = self.predict(texts, reviews)
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
