"""The opinion head: four labels (negative | mixed | positive | none) from the classifier's own forward pass."""

from __future__ import annotations

import json
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
    return OpinionHead(np.zeros(n), np.ones(n), (((coef, np.zeros(4)),),), {"test": True})


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
    head.save(tmp_path / "opinion.safetensors")
    loaded = OpinionHead.load(tmp_path / "opinion.safetensors")
    np.testing.assert_allclose(loaded.predict_proba(probs, features, ["mention", "review"]), out, rtol=1e-5)
    assert loaded.n_features == 2 and loaded.info == {"test": True}


def test_inputs_reject_unknown_kind() -> None:
    with pytest.raises(ValueError, match="text kind must be one of"):
        head_inputs(np.array([[0.3, 0.3, 0.4]]), np.zeros((1, 2)), ["tweet"])


def test_hidden_layer_forward_matches_torch(tmp_path: Path) -> None:
    """The numpy forward of a two-layer head is the network torch trained (GELU, tanh form), also after a round trip."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    n = 3 + 2 + len(KINDS)
    net = torch.nn.Sequential(torch.nn.Linear(n, 5), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(5, 4)).double()
    layers = tuple((m.weight.detach().numpy(), m.bias.detach().numpy()) for m in net if isinstance(m, torch.nn.Linear))
    head = OpinionHead(np.zeros(n), np.ones(n), (layers,), {})
    probs, features = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]), np.array([[0.5, -1.0], [2.0, 0.1]])
    kinds = ["sentence", "mention"]
    expected = torch.softmax(net(torch.tensor(head_inputs(probs, features, kinds))), dim=1).detach().numpy()
    np.testing.assert_allclose(head.predict_proba(probs, features, kinds), expected, rtol=1e-5)
    head.save(tmp_path / "opinion.safetensors")
    np.testing.assert_allclose(OpinionHead.load(tmp_path / "opinion.safetensors").predict_proba(probs, features, kinds),
                               expected, rtol=1e-4)  # fmt: skip


def test_members_are_averaged_after_softmax(tmp_path: Path) -> None:
    """A head of a logistic regression and a network gives the mean of their probabilities, also after a round trip;
    a file written before heads had members (``layer0.*``) still loads as one network."""
    rng = np.random.default_rng(0)
    n = 3 + 2 + len(KINDS)
    linear = ((rng.normal(size=(4, n)), rng.normal(size=4)),)
    deep = ((rng.normal(size=(5, n)), rng.normal(size=5)), (rng.normal(size=(4, 5)), rng.normal(size=4)))
    probs, features = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]), rng.normal(size=(2, 2))
    kinds = ["review", "mention"]
    both = OpinionHead(np.zeros(n), np.ones(n), (linear, deep), {})
    alone = [OpinionHead(np.zeros(n), np.ones(n), (m,), {}).predict_proba(probs, features, kinds)
             for m in (linear, deep)]  # fmt: skip
    np.testing.assert_allclose(both.predict_proba(probs, features, kinds), (alone[0] + alone[1]) / 2, rtol=1e-6)
    both.save(tmp_path / "opinion.safetensors")
    np.testing.assert_allclose(OpinionHead.load(tmp_path / "opinion.safetensors").predict_proba(probs, features, kinds),
                               (alone[0] + alone[1]) / 2, rtol=1e-4)  # fmt: skip
    from safetensors.numpy import save_file

    meta = {"opinion_head": json.dumps({"labels": list(OPINION_LABELS), "kinds": list(KINDS), "info": {}})}
    tensors = {"mean": np.zeros(n), "scale": np.ones(n), "layer0.weight": linear[0][0], "layer0.bias": linear[0][1]}
    save_file({k: v.astype(np.float32) for k, v in tensors.items()}, str(tmp_path / "old.safetensors"), metadata=meta)
    np.testing.assert_allclose(OpinionHead.load(tmp_path / "old.safetensors").predict_proba(probs, features, kinds),
                               alone[0], rtol=1e-4)  # fmt: skip


def test_head_load_names_the_file_on_a_shape_mismatch_or_a_damaged_file(tmp_path: Path) -> None:
    n = 3 + 2 + len(KINDS)
    path = tmp_path / "opinion.safetensors"
    OpinionHead(np.zeros(n), np.ones(n), (((np.zeros((4, n - 1)), np.zeros(4)),),), {}).save(path)
    with pytest.raises(ValueError, match=r"opinion\.safetensors: member0\.layer0 has shape"):
        OpinionHead.load(path)
    OpinionHead(np.zeros(n), np.ones(n), (((np.zeros((3, n)), np.zeros(3)),),), {}).save(path)
    with pytest.raises(ValueError, match="the last layer gives 3 outputs"):
        OpinionHead.load(path)
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match=r"opinion\.safetensors: not a readable opinion head"):
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


def test_a_lexical_member_reads_the_words_and_is_averaged_in(tmp_path: Path) -> None:
    """The n-gram member learns words the feature members cannot see; the head averages its probabilities in, needs
    the texts, keeps them independent of batch neighbours, and survives a round trip (fp16 weights)."""
    from nlp.sentiment.lexical import fit_lexical

    texts = [
        "ужасный сервис, брак",
        "брак опять",
        "отличный магазин, спасибо",
        "спасибо, всё отлично",
        "#акция скидки до 50%",
        "#новости банк открыл офис",
        "нормально, но долго",
        "и хорошо, и плохо",
    ] * 5
    labels = ["negative", "negative", "positive", "positive", "none", "none", "mixed", "mixed"] * 5  # fmt: skip
    y = np.array([OPINION_LABELS.index(label) for label in labels])
    lexical = fit_lexical(texts, ["review"] * len(texts), y, np.ones(len(y)), len(OPINION_LABELS), c=10.0)
    probe = ["брак", "спасибо", "#акция"]
    alone = lexical.logits(probe, ["review"] * 3)
    assert [OPINION_LABELS[i] for i in alone.argmax(1)] == ["negative", "positive", "none"]
    base = _head()
    head = OpinionHead(base.mean, base.scale, base.members, base.info, lexical)
    probs, features = np.tile([[0.4, 0.2, 0.4]], (3, 1)), np.zeros((3, 2))
    with pytest.raises(ValueError, match="pass the texts"):
        head.predict_proba(probs, features, ["review"] * 3)
    out = head.predict_proba(probs, features, ["review"] * 3, probe)
    network = base.predict_proba(probs, features, ["review"] * 3)
    lexical_probs = np.exp(alone - alone.max(1, keepdims=True))
    lexical_probs /= lexical_probs.sum(1, keepdims=True)
    np.testing.assert_allclose(out, (network + lexical_probs) / 2, rtol=1e-5)
    one = head.predict_proba(probs[:1], features[:1], ["review"], probe[:1])
    np.testing.assert_allclose(one, out[:1], rtol=1e-6)  # the same text alone or in a batch
    head.save(tmp_path / "opinion.safetensors")
    loaded = OpinionHead.load(tmp_path / "opinion.safetensors")
    assert loaded.lexical is not None
    np.testing.assert_allclose(loaded.predict_proba(probs, features, ["review"] * 3, probe), out, atol=2e-3)
