"""Train the opinion head (:mod:`nlp.sentiment.opinion`) on what the production classifier computes.

The classifier runs once over every training and evaluation text (the int8 ONNX model, one text per call, exactly
as in production); its class probabilities and last-layer features are cached per model version and set
(``<cache>/opinion-features/``). The head is then fitted on the training sets only
(:data:`~nlp.sentiment.datasets.OPINION_TRAIN_SETS`), each set weighted so that no set outweighs
``set_weight_cap`` rows — 45k English tweets must not drown 1,000 UCI sentences. Whether it is a logistic regression,
a one-hidden-layer network or the average of the two is chosen by 3-fold cross-validation over the training rows
(never on a dev or test split); the dev and test splits are scored once, for the report.
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
from nlp.sentiment.opinion import OPINION_LABELS, Network, OpinionHead, head_inputs, network_forward, softmax

log = logging.getLogger(__name__)


@dataclass
class OpinionConfig:
    """What determines a fit (recorded in the stored head's ``info``)."""

    seed: int = 20261202
    set_weight_cap: float = 8000.0  # effective rows per training set at most
    c_grid: tuple[float, ...] = (0.03,)  # inverse L2 strength of the logistic regression, chosen by 3-fold CV
    hidden_grid: tuple[int, ...] = (256,)  # hidden width of the network, chosen by 3-fold CV
    epochs: int = 12
    batch_size: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    dropout: tuple[float, float] = (0.2, 0.3)  # on the inputs, on the hidden layer
    max_rows_per_set: int | None = None  # subsample large training sets (seeded), for time
    lexical: bool = True  # also consider heads with the n-gram member (nlp.sentiment.lexical)
    lexical_c: float = 3.0
    train_sets: tuple[str, ...] = field(default=OPINION_TRAIN_SETS)


@dataclass
class Encoded:
    """One set run through the classifier."""

    kind: str
    labels: np.ndarray
    probs: np.ndarray
    features: np.ndarray
    texts: list[str] = field(default_factory=list)  # cleaned, as the classifier read them (the lexical member's input)

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
    labels = frame["label"].to_numpy()
    return Encoded(kind, labels, np.asarray(probs), np.asarray(features, dtype=np.float32), texts)


def _weights(sets: list[Encoded], cap: float) -> np.ndarray:
    return np.concatenate([np.full(len(s.labels), min(1.0, cap / len(s.labels))) for s in sets])


def _train_network(x: np.ndarray, y: np.ndarray, w: np.ndarray, hidden: int, config: OpinionConfig) -> Any:
    """Input dropout → Linear → GELU → dropout → Linear to four logits; AdamW on the set-weighted cross-entropy."""
    import torch

    torch.manual_seed(config.seed)
    net = torch.nn.Sequential(
        torch.nn.Dropout(config.dropout[0]), torch.nn.Linear(x.shape[1], hidden), torch.nn.GELU(approximate="tanh"),
        torch.nn.Dropout(config.dropout[1]), torch.nn.Linear(hidden, len(OPINION_LABELS)),
    )  # fmt: skip
    opt = torch.optim.AdamW(net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    xt, yt, wt = torch.tensor(x, dtype=torch.float32), torch.tensor(y), torch.tensor(w, dtype=torch.float32)
    generator = torch.Generator().manual_seed(config.seed)
    net.train()
    for _ in range(config.epochs):
        for batch in torch.randperm(len(yt), generator=generator).split(config.batch_size):
            loss = torch.nn.functional.cross_entropy(net(xt[batch]), yt[batch], reduction="none")
            opt.zero_grad()
            (loss * wt[batch]).sum().div(wt[batch].sum()).backward()
            opt.step()
    net.eval()
    return net


def _layers(net: Any) -> Network:
    import torch

    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    return tuple(
        (m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64)) for m in linear
    )


def _fit_linear(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float, max_iter: int = 500) -> Network:
    """A multinomial logistic regression as a one-layer network, its rows in :data:`OPINION_LABELS` order."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=max_iter).fit(x, y, sample_weight=w)
    order = [list(clf.classes_).index(i) for i in range(len(OPINION_LABELS))]
    return ((clf.coef_[order].astype(np.float64), clf.intercept_[order].astype(np.float64)),)


def _candidates(config: OpinionConfig) -> list[tuple[str, ...]]:
    """The heads CV chooses from: each linear C, each hidden width, each pair of the two averaged, and (with
    ``config.lexical``) each of those with the lexical member averaged in."""
    linear = [f"linear:{c}" for c in config.c_grid]
    mlp = [f"mlp:{h}" for h in config.hidden_grid]
    base: list[tuple[str, ...]] = [(m,) for m in linear + mlp] + [(a, b) for a in linear for b in mlp]
    if not config.lexical:
        return base
    return base + [(*c, LEXICAL) for c in base]


LEXICAL = "lexical"


def _fit_member(name: str, x: np.ndarray, y: np.ndarray, w: np.ndarray, config: OpinionConfig) -> Network:
    family, value = name.split(":")
    if family == "linear":
        return _fit_linear(x, y, w, float(value))
    return _layers(_train_network(x, y, w, int(value), config))


def fit_head(train: list[Encoded], config: OpinionConfig) -> tuple[OpinionHead, dict[str, Any]]:
    """Standardise the inputs; choose, by 3-fold CV over the training rows (weighted log-loss), between logistic
    regressions (C), one-hidden-layer networks (width) and the average of one of each; fit the chosen members on all
    training rows."""
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    x = np.vstack([s.inputs() for s in train])
    labels = np.concatenate([s.labels for s in train])
    texts = [t for s in train for t in s.texts]
    kinds = [s.kind for s in train for _ in s.texts]
    if config.lexical and len(texts) != len(labels):
        raise ValueError("the lexical member needs the texts of every training row")
    y = np.array([OPINION_LABELS.index(label) for label in labels])
    w = _weights(train, config.set_weight_cap)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    folds = StratifiedKFold(3, shuffle=True, random_state=config.seed)
    singles = [c[0] for c in _candidates(config) if len(c) == 1]
    losses: dict[tuple[str, ...], list[float]] = {c: [] for c in _candidates(config)}
    for fold, (tr, te) in enumerate(folds.split(xs, y)):
        probs = {}
        for name in singles:
            probs[name] = softmax(network_forward(_fit_member(name, xs[tr], y[tr], w[tr], config), xs[te]))
            log.info("fold %d: %s fitted", fold, name)
        if config.lexical:
            member = _fit_lexical([texts[i] for i in tr], [kinds[i] for i in tr], y[tr], w[tr], config)
            probs[LEXICAL] = softmax(member.logits([texts[i] for i in te], [kinds[i] for i in te]))
            log.info("fold %d: lexical fitted", fold)
        for cand in losses:
            p = np.mean([probs[m] for m in cand], axis=0)
            losses[cand].append(log_loss(y[te], p, sample_weight=w[te], labels=range(len(OPINION_LABELS))))
    cv = {" + ".join(c): round(float(np.mean(v)), 5) for c, v in losses.items()}
    for name, loss in cv.items():
        log.info("%s: CV log-loss %.4f", name, loss)
    best = min(losses, key=lambda c: cv[" + ".join(c)])
    counts = {s: int(n) for s, n in zip(*np.unique(labels, return_counts=True), strict=True)}
    info = {"config": asdict(config), "members": list(best), "cv_log_loss": cv, "n_train": len(y),
            "train_counts": counts}  # fmt: skip
    networks = tuple(_fit_member(m, xs, y, w, config) for m in best if m != LEXICAL)
    lexical = _fit_lexical(texts, kinds, y, w, config) if LEXICAL in best else None
    head = OpinionHead(mean, scale, networks, info, lexical)
    return head, info


def _fit_lexical(texts: list[str], kinds: list[str], y: np.ndarray, w: np.ndarray, config: OpinionConfig) -> Any:
    from nlp.sentiment.lexical import fit_lexical

    return fit_lexical(texts, kinds, y, w, len(OPINION_LABELS), config.lexical_c)


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
        name: opinion_report(
            list(e.labels), head.predict_proba(e.probs, e.features, [e.kind] * len(e.labels), e.texts or None)
        )
        for name, e in sets.items()
    }
