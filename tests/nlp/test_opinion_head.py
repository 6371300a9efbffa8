"""The opinion head: four labels (negative | mixed | positive | none) from the classifier's own forward pass."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment.base import SentimentModel
from nlp.sentiment.opinion import KINDS, OPINION_LABELS, OpinionHead, head_inputs


def _head(n_features: int = 2) -> OpinionHead:
    """A hand-made head: feature 0 decides none (high) vs opinion; the log-probabilities decide the polarity."""
    n = 3 + n_features + len(KINDS)
    coef = np.zeros((4, n))
    coef[0, 0] = coef[1, 1] = coef[2, 2] = 1.0  # log p(neg), log p(neu) -> mixed, log p(pos)
    coef[3, 3] = 5.0  # feature 0 -> none
    coef[3, 3 + n_features + KINDS.index("mention")] = 1.0  # mentions lean to no opinion
    return OpinionHead(np.zeros(n), np.ones(n), coef, np.zeros(4), {"test": True})


class FeatureModel(SentimentModel):
    """A toy classifier whose 'features' say whether a text is an ad (starts with '#')."""

    name, version = "toy", "1"

    def __init__(self, head: OpinionHead | None) -> None:
        self.opinion = head

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[0.8, 0.1, 0.1] if "плох" in t else [0.1, 0.1, 0.8] for t in texts])

    def predict_features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        return self.predict_proba(texts), np.array([[1.0 if t.startswith("#") else -1.0, 0.0] for t in texts])


def test_head_round_trips_and_gives_probabilities(tmp_path: Path) -> None:
    head = _head()
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    features = np.array([[1.0, 0.0], [-1.0, 0.0]])
    out = head.predict_proba(probs, features, ["mention", "review"])
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)
    assert [OPINION_LABELS[i] for i in out.argmax(1)] == ["none", "positive"]
    head.save(tmp_path / "opinion.json")
    loaded = OpinionHead.load(tmp_path / "opinion.json")
    np.testing.assert_allclose(loaded.predict_proba(probs, features, ["mention", "review"]), out, rtol=1e-5)
    assert loaded.n_features == 2 and loaded.info == {"test": True}


def test_inputs_reject_unknown_kind() -> None:
    with pytest.raises(ValueError, match="text kind must be one of"):
        head_inputs(np.array([[0.3, 0.3, 0.4]]), np.zeros((1, 2)), ["tweet"])


def test_head_load_names_the_file_on_a_shape_mismatch(tmp_path: Path) -> None:
    import json

    path = tmp_path / "opinion.json"
    _head().save(path)
    data = json.loads(path.read_text())
    data["coef"] = data["coef"][:3]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"opinion\.json: coef has shape"):
        OpinionHead.load(path)


def test_model_with_head_gives_four_labels_and_without_one_none_is_never_said() -> None:
    texts = ["#Автокредит в банке", "Очень плохо", "Всё отлично", "  "]
    with_head = FeatureModel(_head()).predict(texts, kind="mention")
    assert [p.label for p in with_head] == ["none", "negative", "positive", "none"]  # blank: none, not run
    assert all(abs(sum(p.probabilities.values()) - 1) < 1e-6 for p in with_head)
    without = FeatureModel(None).predict(texts)
    assert [p.label for p in without] == ["positive", "negative", "positive", "none"]
    assert all(p.p_none == 0 for p in without[:3])
    with pytest.raises(ValueError, match="2 kinds for 4 texts"):
        FeatureModel(_head()).predict(texts, kind=["review", "review"])
