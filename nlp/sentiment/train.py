"""Fine-tune molva-sentiment on 2 CPU cores: freeze the lower e5 layers, cache their outputs once, train the rest.

Why this shape: a full fine-tune of the 12-layer base costs a forward and backward pass through every layer (and the
250k-row embedding table) each epoch, which 2 shared cores cannot afford. Running the frozen lower layers once and
storing their hidden states (fp16) makes each epoch cost only the top layers; the stored trained part stays small
(top layers + head, fp16). Settings live in :class:`TrainConfig`; the seed fixes data order, dropout and init.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.datasets import EVAL_SETS, LABELS, TRAIN_SETS, load_set

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Everything that determines a training run (recorded in the stored ``model.json``)."""

    seed: int = 13
    train_from_layer: int = 6  # encoder layers with index >= this are trained; the rest are frozen and cached
    max_length: int = 128  # tokens per training text (RuReviews: 95% of texts fit in 108)
    amazon_max_length: int = 64  # long English reviews: their opening carries the verdict, and tokens cost time
    infer_max_length: int = 256  # what the assembled model uses at inference
    epochs: int = 3
    batch_size: int = 32
    lr_layers: float = 1e-4
    lr_head: float = 5e-4
    weight_decay: float = 0.01
    warmup_share: float = 0.06
    threads: int = 2
    limit: int | None = None  # rows per set, for smoke runs only
    version: str = "1"
    init_from: str | None = None  # a stored trained part to continue from (same train_from_layer)
    train_sets: tuple[str, ...] = field(default=TRAIN_SETS)


def _set_seed(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _ext_mask(mask: Any, dtype: Any) -> Any:
    """Additive attention mask (0 keep, -inf-ish drop) shaped for XLM-R layers."""
    import torch

    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def encode_lower(model: Any, tokenizer: Any, texts: list[str], max_length: int, upto: int) -> list[Any]:
    """Run embeddings + encoder layers [0, upto) once; return one fp16 (length, hidden) tensor per text."""
    import torch

    order = np.argsort([len(t) for t in texts], kind="stable")
    out: list[Any] = [None] * len(texts)
    layers = model.roberta.encoder.layer[:upto]
    with torch.inference_mode():
        for start in range(0, len(order), 64):
            idx = order[start : start + 64]
            enc = tokenizer(
                [texts[i] for i in idx], truncation=True, max_length=max_length, padding=True, return_tensors="pt"
            )
            hidden = model.roberta.embeddings(input_ids=enc["input_ids"])
            ext = _ext_mask(enc["attention_mask"], hidden.dtype)
            for layer in layers:
                hidden = layer(hidden, ext)
            lengths = enc["attention_mask"].sum(1).tolist()
            for row, i in enumerate(idx):
                out[i] = hidden[row, : lengths[row]].to(torch.float16).clone()
    return out


def _batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Length-bucketed batches in random order: shuffle, sort within chunks of 50 batches, then shuffle batches."""
    perm = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches: list[np.ndarray] = []
    for start in range(0, len(perm), chunk):
        part = perm[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)  # type: ignore[arg-type]
    return batches


def _pad(states: list[Any], idx: np.ndarray) -> tuple[Any, Any]:
    import torch

    rows = [states[i] for i in idx]
    longest = max(r.shape[0] for r in rows)
    hidden = torch.zeros(len(rows), longest, rows[0].shape[1], dtype=torch.float32)
    mask = torch.zeros(len(rows), longest, dtype=torch.long)
    for j, r in enumerate(rows):
        hidden[j, : r.shape[0]] = r.to(torch.float32)
        mask[j, : r.shape[0]] = 1
    return hidden, mask


def top_forward(model: Any, hidden: Any, mask: Any, start_layer: int) -> Any:
    """Logits from cached lower states through the trained layers and head."""
    ext = _ext_mask(mask, hidden.dtype)
    for layer in model.roberta.encoder.layer[start_layer:]:
        hidden = layer(hidden, ext)
    return model.classifier(hidden)


def predict_cached(model: Any, states: list[Any], start_layer: int, batch_size: int = 64) -> np.ndarray:
    """Class probabilities for cached states (evaluation during training)."""
    import torch

    lengths = np.array([s.shape[0] for s in states])
    order = np.argsort(lengths, kind="stable")
    probs = np.zeros((len(states), model.config.num_labels), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            hidden, mask = _pad(states, idx)
            probs[idx] = torch.softmax(top_forward(model, hidden, mask, start_layer), -1).numpy()
    return probs


def trained_state(model: Any, start_layer: int) -> dict[str, Any]:
    """The tensors training changed, under HF sequence-classification names."""
    return {
        k: v
        for k, v in model.state_dict().items()
        if k.startswith("classifier.")
        or any(k.startswith(f"roberta.encoder.layer.{i}.") for i in range(start_layer, model.config.num_hidden_layers))
    }


def _load_sets(cfg: TrainConfig, data_dir: Path | None) -> dict[str, Any]:
    sets = {}
    for name in (*cfg.train_sets, *EVAL_SETS):
        df = load_set(name, data_dir)
        if cfg.limit:
            df = df.sample(n=min(cfg.limit, len(df)), random_state=cfg.seed).reset_index(drop=True)
        sets[name] = df
    return sets


def _cached_states(model: Any, tokenizer: Any, name: str, texts: list[str], cfg: TrainConfig, cache: Path) -> list[Any]:
    """Lower-layer states for one set, stored on disk so a rerun with other settings skips the slow pass."""
    import hashlib

    import torch

    max_len = cfg.amazon_max_length if name == "en_amazon" else cfg.max_length
    if name in EVAL_SETS:
        max_len = cfg.infer_max_length
    key = hashlib.sha256(("\n".join(texts) + f"|{max_len}|{cfg.train_from_layer}").encode()).hexdigest()[:16]
    path = cache / f"{name}-{key}.pt"
    if path.is_file():
        return list(torch.load(path))
    started = time.time()
    states = encode_lower(model, tokenizer, texts, max_len, cfg.train_from_layer)
    torch.save(states, path)
    log.info("cached lower layers for %s: %d texts in %.0fs", name, len(texts), time.time() - started)
    return states


def train(
    cfg: TrainConfig, out_dir: Path, data_dir: Path | None = None, work_dir: Path | None = None
) -> dict[str, Any]:
    """Train, evaluate on the held-out sets after each epoch, save the trained part to ``out_dir``; return metrics."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from nlp.e5.build import BUILDER_VERSION, WEIGHTS_SHA256, cache_root, ensure_base
    from nlp.sentiment.artifact import save_part
    from nlp.sentiment.metrics import classification_report

    torch.set_num_threads(cfg.threads)
    _set_seed(cfg.seed)
    base = ensure_base()
    work = work_dir or cache_root() / "train-cache"
    work.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    for name, param in model.named_parameters():
        param.requires_grad = name.startswith("classifier.") or any(
            name.startswith(f"roberta.encoder.layer.{i}.") for i in range(cfg.train_from_layer, 12)
        )
    if cfg.init_from:
        from safetensors.torch import load_file

        part = {k: v.float() for k, v in load_file(str(Path(cfg.init_from) / "trained.safetensors")).items()}
        missing = set(trained_state(model, cfg.train_from_layer)) - set(part)
        if missing:
            raise ValueError(f"{cfg.init_from}: the stored part lacks {sorted(missing)[:3]} (other train_from_layer?)")
        model.load_state_dict(part, strict=False)
        log.info("continuing from %s", cfg.init_from)
    model.eval()
    sets = _load_sets(cfg, data_dir)
    states = {
        n: _cached_states(model, tokenizer, n, df["text"].astype(str).tolist(), cfg, work) for n, df in sets.items()
    }
    label_ix = {label: i for i, label in enumerate(LABELS)}
    train_states = [s for n in cfg.train_sets for s in states[n]]
    train_y = torch.tensor([label_ix[y] for n in cfg.train_sets for y in sets[n]["label"]])
    lengths = np.array([s.shape[0] for s in train_states])

    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("classifier.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("classifier.")]
    optim = torch.optim.AdamW(
        [{"params": body, "lr": cfg.lr_layers}, {"params": head, "lr": cfg.lr_head}], weight_decay=cfg.weight_decay
    )
    steps_per_epoch = math.ceil(len(train_states) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    warm = max(1, int(total * cfg.warmup_share))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    rng = np.random.default_rng(cfg.seed)
    history: list[dict[str, Any]] = []
    started = time.time()
    for epoch in range(cfg.epochs):
        model.train()
        losses = []
        for step, idx in enumerate(_batches(lengths, cfg.batch_size, rng)):
            hidden, mask = _pad(train_states, idx)
            loss = torch.nn.functional.cross_entropy(
                top_forward(model, hidden, mask, cfg.train_from_layer), train_y[idx]
            )
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + head, 1.0)
            optim.step()
            sched.step()
            losses.append(loss.item())
            if step % 50 == 0:
                log.info(
                    "epoch %d step %d/%d loss %.4f (%.0fs)",
                    epoch + 1,
                    step,
                    steps_per_epoch,
                    np.mean(losses[-50:]),
                    time.time() - started,
                )
        scores = {
            n: classification_report(sets[n]["label"].tolist(), predict_cached(model, states[n], cfg.train_from_layer))
            for n in EVAL_SETS
        }
        history.append(
            {
                "epoch": epoch + 1,
                "loss": float(np.mean(losses)),
                "seconds": round(time.time() - started),
                **{n: {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"]} for n, s in scores.items()},
            }
        )
        log.info("epoch %d done: %s", epoch + 1, json.dumps(history[-1]))
        meta = {
            "name": "molva-sentiment",
            "version": cfg.version,
            "labels": list(LABELS),
            "train_from_layer": cfg.train_from_layer,
            "max_length": cfg.infer_max_length,
            "base": {"builder_version": BUILDER_VERSION, "weights_sha256": WEIGHTS_SHA256},
            "train_config": asdict(cfg),
            "epochs_done": epoch + 1,
        }
        save_part(out_dir, trained_state(model, cfg.train_from_layer), meta, {"training_history": history})
    return {"training_history": history, "train_seconds": round(time.time() - started)}
