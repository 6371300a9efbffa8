"""The opinion head: does a text express an opinion, and which — negative, mixed or positive?

molva-sentiment's classifier learned "neutral" from 3-star reviews, where it means a *mixed* verdict. Most mentions of
a brand in social media ("#Автокредит в россельхозбанк", news, ads, questions) express no opinion at all, and a
3-class model calls them positive or negative. The opinion head separates the two: small networks over four labels
(:data:`OPINION_LABELS`) — the trained head averages a logistic regression and a one-hidden-layer network — that
read what the classifier's forward pass already computed (its class log-probabilities and its last layer's ``<s>``
and mean token states), plus the kind of text — a whole ``review``, a review ``sentence`` or a social-media
``mention`` — whose base rates of "no opinion" differ by an order of magnitude. It costs a few small matrix products
per text: no second encoder pass. A head may also average in a lexical member (hashed n-grams, TF-IDF, logistic
regression: :mod:`nlp.sentiment.lexical`), which reads the cleaned text itself. Trained by
``molva models train-opinion`` (:mod:`nlp.sentiment.opinion_train`); the scheme is documented in docs/models.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.lexical import LexicalMember

#: The four labels, in the order of :class:`OpinionHead`'s probability columns.
OPINION_LABELS = ("negative", "mixed", "positive", "none")
#: What a text is; the head takes it as input (one-hot).
KINDS = ("review", "sentence", "mention")
OPINION_FILE = "opinion.safetensors"


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"text kind must be one of {KINDS}, not {kind!r}")
    return kind


def head_inputs(probs: np.ndarray, features: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
    """The head's input rows: ``[log p(neg, neu, pos) | features | one-hot kind]``."""
    logp = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-6, 1.0))
    onehot = np.zeros((len(kinds), len(KINDS)))
    for row, kind in enumerate(kinds):
        onehot[row, KINDS.index(check_kind(kind))] = 1.0
    return np.hstack([logp, np.asarray(features, dtype=np.float64), onehot])


Network = tuple[tuple[np.ndarray, np.ndarray], ...]


@dataclass(frozen=True)
class OpinionHead:
    """Standardise, then one or more small feed-forward networks to four logits; the head's probabilities
    (p_negative, p_mixed, p_positive, p_none) are the mean of the members' softmax. Each member is a tuple of
    ``(weight (out, in), bias (out,))`` layers; every layer but the last is followed by GELU (tanh form, as in
    training). A one-layer member is a multinomial logistic regression; the trained head averages one of those
    with a one-hidden-layer network (:mod:`nlp.sentiment.opinion_train`)."""

    mean: np.ndarray
    scale: np.ndarray
    members: tuple[Network, ...]
    info: dict[str, Any]
    lexical: LexicalMember | None = None  # n-gram member (nlp.sentiment.lexical), averaged in with equal weight

    def predict_proba(
        self, probs: np.ndarray, features: np.ndarray, kinds: Sequence[str], texts: Sequence[str] | None = None
    ) -> np.ndarray:
        """(n, 4) probabilities; ``texts`` (cleaned, as the classifier read them) are needed by a lexical member."""
        x = (head_inputs(probs, features, kinds) - self.mean) / self.scale
        parts = [softmax(network_forward(layers, x)) for layers in self.members]
        if self.lexical is not None:
            if texts is None or len(texts) != len(x):
                raise ValueError("this opinion head has a lexical member: pass the texts")
            parts.append(softmax(self.lexical.logits(texts, kinds)))
        return np.asarray(np.mean(parts, axis=0), dtype=np.float32)

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        tensors = {"mean": self.mean, "scale": self.scale}
        for m, layers in enumerate(self.members):
            for index, (weight, bias) in enumerate(layers):
                tensors[f"member{m}.layer{index}.weight"], tensors[f"member{m}.layer{index}.bias"] = weight, bias
        tensors = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}
        if self.lexical is not None:
            tensors.update({k: np.ascontiguousarray(v) for k, v in self.lexical.tensors().items()})
        meta = {"labels": list(OPINION_LABELS), "kinds": list(KINDS), "info": self.info}
        save_file(tensors, str(path),
                  metadata={"opinion_head": json.dumps(meta, ensure_ascii=False, sort_keys=True)})  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> OpinionHead:
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="np") as handle:
                meta = json.loads((handle.metadata() or {}).get("opinion_head", "{}"))
                tensors = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
        except Exception as exc:  # safetensors raises its own error types for a damaged file
            raise ValueError(f"{path}: not a readable opinion head ({exc})") from exc
        if tuple(meta.get("labels", ())) != OPINION_LABELS or tuple(meta.get("kinds", ())) != KINDS:
            raise ValueError(f"{path}: opinion head for labels {meta.get('labels')} / kinds {meta.get('kinds')}, "
                             f"expected {list(OPINION_LABELS)} / {list(KINDS)}")  # fmt: skip
        if "mean" not in tensors or "scale" not in tensors:
            raise ValueError(f"{path}: not a readable opinion head (no standardisation tensors)")
        try:
            lexical = LexicalMember.from_tensors(tensors)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        tensors = {k: v.astype(np.float64) for k, v in tensors.items() if not k.startswith("lexical.")}
        prefixes = [f"member{m}." for m in range(len({k.split(".", 1)[0] for k in tensors if k.startswith("member")}))]
        if not prefixes and "layer0.weight" in tensors:
            prefixes = [""]  # a head of one network, as written before heads had members
        members = tuple(_load_member(path, tensors, prefix, len(tensors["mean"])) for prefix in prefixes)
        if not members:
            raise ValueError(f"{path}: the opinion head has no networks")
        return cls(tensors["mean"], tensors["scale"], members, dict(meta.get("info", {})), lexical)

    @property
    def n_features(self) -> int:
        """Encoder features expected (inputs minus the 3 log-probabilities and the kind one-hot)."""
        return len(self.mean) - 3 - len(KINDS)


def _load_member(path: Path, tensors: dict[str, np.ndarray], prefix: str, width: int) -> Network:
    layers = []
    for index in range(sum(1 for k in tensors if k.startswith(prefix) and k.endswith(".weight"))):
        weight, bias = tensors[f"{prefix}layer{index}.weight"], tensors[f"{prefix}layer{index}.bias"]
        if weight.ndim != 2 or weight.shape[1] != width or bias.shape != (weight.shape[0],):
            raise ValueError(f"{path}: {prefix}layer{index} has shape {weight.shape} / {bias.shape}, "
                             f"expected (*, {width})")  # fmt: skip
        layers.append((weight, bias))
        width = weight.shape[0]
    if not layers or width != len(OPINION_LABELS):
        name = prefix.rstrip(".") or "network"
        raise ValueError(f"{path}: {name}: the last layer gives {width} outputs, expected {len(OPINION_LABELS)}")
    return tuple(layers)


def network_forward(layers: Network, x: np.ndarray) -> np.ndarray:
    for index, (weight, bias) in enumerate(layers):
        x = x @ weight.T + bias
        if index < len(layers) - 1:
            x = _gelu(x)
    return x


def softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    out = np.exp(x)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (``torch.nn.GELU(approximate="tanh")``)."""
    return np.asarray(0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3))))
