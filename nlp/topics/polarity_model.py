"""A topic-mention polarity fitted on labelled opinions: how the sentiment model's probabilities map to complaints.

The rule of :func:`nlp.topics.polarity.topic_polarity` reads the model's labels as they are. Where labelled opinions
exist (SemEval-2016 aspect polarity; a team's own sentences with a ``polarity``), a small multinomial logistic
regression can read them better: its inputs (:data:`INPUTS`) are the log-probabilities of the sentence's four labels,
those of its review (the sentence's own when there is no review row) and, when the exemplars carry polarity, the
nearest labelled sentences' polarity vote (:meth:`nlp.topics.exemplars.Exemplars.polarity_vote`). About 36 numbers,
kept in the calibration (``Calibration.polarity_model``); a calibration without one keeps the rule.

Measured on SemEval-2016 (5-fold CV by review over each whole training file, every gold (sentence, category) tuple;
scored on the test half the opinion head never saw): docs/topics.md.

Not used for the CX taxonomy by default: SemEval annotates opinions only (2-4 % neutral tuples), so a fit there would
make almost every topic mention a complaint or praise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

POLARITY_CLASSES = ("negative", "neutral", "positive")
PROBABILITY_INPUTS = tuple(f"{side}_{label}" for side in ("sentence", "review") for label in
                           ("negative", "mixed", "positive", "none"))  # fmt: skip
VOTE_INPUTS = ("vote_negative", "vote_neutral", "vote_positive")
INPUTS = PROBABILITY_INPUTS + VOTE_INPUTS
REGULARISATION = 1.0  # sklearn's C; the inputs are log-probabilities and shares, already on comparable scales
_FLOOR = 1e-4


class PolarityModel(BaseModel):
    """Weights of the fitted polarity regression: ``coef[c]`` per class of :data:`POLARITY_CLASSES`."""

    model_config = ConfigDict(extra="forbid")

    inputs: list[str]
    coef: list[list[float]]
    intercept: list[float]
    fitted_on: str = ""

    @property
    def uses_vote(self) -> bool:
        return tuple(self.inputs) == INPUTS

    def predict(self, features: np.ndarray) -> list[str]:
        if features.shape[1] != len(self.inputs):
            raise ValueError(f"the polarity model reads {len(self.inputs)} inputs, got {features.shape[1]}")
        logits = features @ np.asarray(self.coef).T + np.asarray(self.intercept)
        return [POLARITY_CLASSES[int(k)] for k in np.argmax(logits, axis=1)]


def _four(probs: np.ndarray) -> np.ndarray:
    """(n, 3) p_negative, p_mixed, p_positive -> (n, 4) log-probabilities with p_none = 1 - their sum."""
    none = np.clip(1.0 - probs.sum(axis=1, keepdims=True), 0.0, 1.0)
    return np.log(np.clip(np.hstack([probs, none]), _FLOOR, 1.0))


def polarity_features(
    sentence: np.ndarray, review: np.ndarray | None = None, vote: np.ndarray | None = None
) -> np.ndarray:
    """Model inputs from (n, 3) sentence probabilities (p_negative, p_mixed, p_positive), the review's (rows of NaN
    or ``None``: no review, the sentence's own are used) and the polarity vote (n, 3) when the model uses one."""
    sentence = np.asarray(sentence, dtype=np.float64).reshape(-1, 3)
    if review is None:
        review = sentence
    review = np.asarray(review, dtype=np.float64).reshape(-1, 3)
    review = np.where(np.isnan(review).any(axis=1, keepdims=True), sentence, review)
    parts = [_four(sentence), _four(review)]
    if vote is not None:
        parts.append(np.asarray(vote, dtype=np.float64).reshape(-1, 3))
    return np.hstack(parts)


def fit_polarity_model(
    features: np.ndarray, gold: Sequence[str], *, fitted_on: str = "", regularisation: float = REGULARISATION
) -> PolarityModel:
    """Fit on rows whose gold is one of :data:`POLARITY_CLASSES` (others, e.g. SemEval's "conflict", are skipped)."""
    from sklearn.linear_model import LogisticRegression

    keep = np.array([g in POLARITY_CLASSES for g in gold])
    y = np.array([POLARITY_CLASSES.index(g) for g in gold if g in POLARITY_CLASSES])
    if len(set(y.tolist())) < len(POLARITY_CLASSES):
        raise ValueError("fitting a polarity model needs labelled negative, neutral and positive opinions")
    model = LogisticRegression(C=regularisation, max_iter=5000).fit(features[keep], y)
    inputs = INPUTS if features.shape[1] == len(INPUTS) else PROBABILITY_INPUTS
    return PolarityModel(
        inputs=list(inputs),
        coef=[[round(float(w), 5) for w in row] for row in model.coef_],
        intercept=[round(float(b), 5) for b in model.intercept_],
        fitted_on=fitted_on,
    )


FeaturesFor = Callable[[int | None, np.ndarray, bool], np.ndarray]


def cross_validate_polarity(
    features_for: FeaturesFor, gold: Sequence[str], folds: np.ndarray, n_folds: int, *, fitted_on: str = ""
) -> tuple[np.ndarray, PolarityModel]:
    """Out-of-fold predictions for every row and the model fitted on all rows.

    ``features_for(k, rows, is_training)`` gives the inputs of ``rows`` when fold ``k`` is held out (``None``: the
    final fit on everything): the vote's exemplars must then come from the other folds only, and a training row's
    vote must leave out its own review.
    """
    gold_array = np.array(list(gold), dtype=object)
    predicted = np.full(len(gold_array), "", dtype=object)
    for k in range(n_folds):
        train, held = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        if not len(train) or not len(held):
            continue
        model = fit_polarity_model(features_for(k, train, True), list(gold_array[train]))
        predicted[held] = model.predict(features_for(k, held, False))
    everything = np.arange(len(gold_array))
    return predicted, fit_polarity_model(features_for(None, everything, True), list(gold_array), fitted_on=fitted_on)
