"""Train the opinion head (:mod:`nlp.sentiment.opinion`) on what the production classifier computes.

The classifier runs once over every training and evaluation text (the int8 ONNX model, one text per call, exactly
as in production); its class probabilities and last-layer features are cached per model version and set
(``<cache>/opinion-features/``). A multinomial logistic regression is then fitted on the training sets only
(:data:`~nlp.sentiment.datasets.OPINION_TRAIN_SETS`), each set weighted so that no set outweighs
``set_weight_cap`` rows — 45k English tweets must not drown 1,000 UCI sentences. The regularisation strength is
chosen by 3-fold cross-validation over the training rows (never on a dev or test split); the dev and test splits are
scored once, for the report.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.datasets import OPINION_EVAL_SETS, OPINION_TRAIN_SETS, load_opinion_set
from nlp.sentiment.opinion import OPINION_LABELS, OpinionHead, head_inputs

log = logging.getLogger(__name__)


@dataclass
class OpinionConfig:
    """What determines a fit (recorded in the stored head's ``info``)."""

    seed: int = 20261202
    set_weight_cap: float = 8000.0  # effective rows per training set at most
    c_grid: tuple[float, ...] = (0.01, 0.03, 0.1)
    max_rows_per_set: int | None = None  # subsample large training sets (seeded), for time
    train_sets: tuple[str, ...] = field(default=OPINION_TRAIN_SETS)


@dataclass
class Encoded:
    """One set run through the classifier."""

    kind: str
    labels: np.ndarray
    probs: np.ndarray
    features: np.ndarray

    def inputs(self) -> np.ndarray:
        return head_inputs(self.probs, self.features, [self.kind] * len(self.labels))


def encoder_identity(model: Any) -> str:
    """What the cached features depend on: the assembled classifier (its directory is keyed by the encoder's digest)
    and the exported file; not the model version, which also covers the opinion head being trained."""
    from nlp.sentiment.onnx_backend import INT8_FILE

    return f"{model.name}:{Path(getattr(model, 'model_dir', model.version)).name}:{INT8_FILE}"


def encode_set(model: Any, name: str, cache_dir: Path, limit: int | None = None, seed: int = 0) -> Encoded:
    """Run ``model`` (an :class:`~nlp.sentiment.onnx_backend.OnnxSentiment`) over a set, cached by version + texts."""
    from nlp.sentiment.text_prep import clean_text

    kind, frame = load_opinion_set(name)
    frame = frame[frame["text"].map(lambda t: bool(clean_text(t).text))].reset_index(drop=True)
    if limit is not None and len(frame) > limit:
        frame = frame.sample(n=limit, random_state=seed).reset_index(drop=True)
    texts = [clean_text(t).text for t in frame["text"]]
    key = hashlib.sha256(("\n".join(texts) + encoder_identity(model)).encode()).hexdigest()[:12]
    path = cache_dir / f"{name}-{key}.npz"
    if path.is_file():
        data = np.load(path)
        probs, features = data["probs"], data["features"]
    else:
        started = time.perf_counter()
        probs, features = model.predict_features(texts)
        log.info("%s: %d texts encoded in %.0f s", name, len(texts), time.perf_counter() - started)
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.savez(path, probs=probs, features=features.astype(np.float16))
    return Encoded(kind, frame["label"].to_numpy(), np.asarray(probs), np.asarray(features, dtype=np.float32))


def _weights(sets: list[Encoded], cap: float) -> np.ndarray:
    return np.concatenate([np.full(len(s.labels), min(1.0, cap / len(s.labels))) for s in sets])


def fit_head(train: list[Encoded], config: OpinionConfig) -> tuple[OpinionHead, dict[str, Any]]:
    """Standardise the inputs, pick C by 3-fold CV (weighted log-loss), fit on all training rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    x = np.vstack([s.inputs() for s in train])
    y = np.concatenate([s.labels for s in train])
    w = _weights(train, config.set_weight_cap)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    folds = StratifiedKFold(3, shuffle=True, random_state=config.seed)
    cv: dict[str, float] = {}
    for c in config.c_grid:
        losses = []
        for tr, te in folds.split(xs, y):
            clf = LogisticRegression(C=c, max_iter=500).fit(xs[tr], y[tr], sample_weight=w[tr])
            losses.append(log_loss(y[te], clf.predict_proba(xs[te]), sample_weight=w[te], labels=clf.classes_))
        cv[str(c)] = round(float(np.mean(losses)), 5)
        log.info("C=%s: CV log-loss %.4f", c, cv[str(c)])
    best = min(config.c_grid, key=lambda c: cv[str(c)])
    clf = LogisticRegression(C=best, max_iter=1000).fit(xs, y, sample_weight=w)
    order = [list(clf.classes_).index(label) for label in OPINION_LABELS]
    info = {"config": asdict(config), "C": best, "cv_log_loss": cv, "n_train": len(y),
            "train_counts": {s: int(n) for s, n in zip(*np.unique(y, return_counts=True), strict=True)}}  # fmt: skip
    head = OpinionHead(mean, scale, clf.coef_[order], clf.intercept_[order], info)
    return head, info


def train_opinion_head(model: Any, config: OpinionConfig, cache_dir: Path) -> tuple[OpinionHead, dict[str, Any]]:
    """Encode the training sets, fit the head, and return it with its info."""
    train = [encode_set(model, n, cache_dir, config.max_rows_per_set, config.seed) for n in config.train_sets]
    return fit_head(train, config)


def eval_sets(model: Any, cache_dir: Path, names: tuple[str, ...] = OPINION_EVAL_SETS) -> dict[str, Encoded]:
    return {n: encode_set(model, n, cache_dir) for n in names}


def score_head(head: OpinionHead, sets: dict[str, Encoded]) -> dict[str, Any]:
    """:func:`~nlp.sentiment.metrics.opinion_report` of the head on encoded (held-out) sets."""
    from nlp.sentiment.metrics import opinion_report

    return {
        name: opinion_report(list(e.labels), head.predict_proba(e.probs, e.features, [e.kind] * len(e.labels)))
        for name, e in sets.items()
    }
