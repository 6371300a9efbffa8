"""The stored trained part of molva-sentiment and its assembly with the rebuilt base into a Hugging Face model dir.

The repository stores only what training changed: the top encoder layers and the classification head (fp16
safetensors), a label map and training metadata (``model.json``), and the measured figures (``metrics.json``).
``assemble()`` merges them with the rebuilt e5 base into an ``XLMRobertaForSequenceClassification`` directory in
the cache, so every backend (transformers, ONNX) loads it like any other local model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from nlp.cache_dirs import staged_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILTIN_NAME = "molva-sentiment"
BUILTIN_DIR = REPO_ROOT / "nlp" / "models" / BUILTIN_NAME
TRAINED_FILE = "trained.safetensors"
META_FILE = "model.json"
METRICS_FILE = "metrics.json"
OPINION_FILE = "opinion.safetensors"  # the four-label head (nlp/sentiment/opinion.py); optional
ASSEMBLED_MANIFEST = "molva_assembled.json"


def read_meta(part_dir: Path = BUILTIN_DIR) -> dict[str, Any]:
    """The trained part's metadata: labels, first trained layer, max length, version, training settings."""
    path = part_dir / META_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: train the model with `molva models train`")
    return dict(json.loads(path.read_text()))


def part_digest(part_dir: Path = BUILTIN_DIR) -> str:
    """Short sha256 of the trained weights, metadata and opinion head: part of the model version."""
    digest = hashlib.sha256()
    for name in (TRAINED_FILE, META_FILE, OPINION_FILE):
        if name != OPINION_FILE or (part_dir / name).is_file():
            digest.update((part_dir / name).read_bytes())
    return digest.hexdigest()[:12]


def encoder_digest(part_dir: Path = BUILTIN_DIR) -> str:
    """Short sha256 of what the assembled classifier is made of (weights, labels, layers, length, base): the cache
    key of the assembled directory, so a new opinion head or version number reuses the same assembled model."""
    meta = read_meta(part_dir)
    digest = hashlib.sha256((part_dir / TRAINED_FILE).read_bytes())
    keep = {k: meta.get(k) for k in ("labels", "train_from_layer", "max_length", "base")}
    digest.update(json.dumps(keep, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def load_opinion_head(part_dir: Path = BUILTIN_DIR) -> Any:
    """The part's :class:`~nlp.sentiment.opinion.OpinionHead`, or None when it has none."""
    from nlp.sentiment.opinion import OpinionHead

    path = part_dir / OPINION_FILE
    return OpinionHead.load(path) if path.is_file() else None


def model_version(part_dir: Path = BUILTIN_DIR) -> str:
    """``<version>+<digest>``: changes whenever the stored weights change, so enrichment reclassifies."""
    return f"{read_meta(part_dir)['version']}+{part_digest(part_dir)}"


def save_part(
    part_dir: Path, state: dict[str, Any], meta: dict[str, Any], metrics: dict[str, Any] | None = None
) -> None:
    """Write the trained tensors (as fp16) and metadata; ``state`` uses HF sequence-classification key names."""
    import torch
    from safetensors.torch import save_file

    part_dir.mkdir(parents=True, exist_ok=True)
    half = {k: v.detach().to(torch.float16).contiguous().cpu() for k, v in state.items()}
    save_file(half, str(part_dir / TRAINED_FILE), metadata={"format": "pt"})
    (part_dir / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    if metrics is not None:
        (part_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    for name in (TRAINED_FILE, META_FILE, METRICS_FILE):
        if (part_dir / name).exists():
            (part_dir / name).chmod(0o644)


def classification_config(base_config: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """Turn the base's config into a sequence-classification config with our label map."""
    config = dict(base_config)
    config["architectures"] = ["XLMRobertaForSequenceClassification"]
    config["id2label"] = {str(i): label for i, label in enumerate(labels)}
    config["label2id"] = {label: i for i, label in enumerate(labels)}
    config["num_labels"] = len(labels)
    config["problem_type"] = "single_label_classification"
    return config


def assembled_state(base_dir: Path, part_dir: Path) -> dict[str, Any]:
    """Base weights under the ``roberta.`` prefix, overwritten by the trained layers and head (fp32)."""
    import torch
    from safetensors.torch import load_file

    state = {f"roberta.{k}": v for k, v in load_file(str(base_dir / "model.safetensors")).items()}
    for key, value in load_file(str(part_dir / TRAINED_FILE)).items():
        if key.startswith("roberta.") and key not in state:
            raise ValueError(f"{part_dir / TRAINED_FILE}: tensor {key!r} does not exist in the base model")
        state[key] = value.to(torch.float32)
    return state


def assemble(part_dir: Path = BUILTIN_DIR, cache_dir: Path | None = None) -> Path:
    """Return a cached HF model dir for base + trained part, building it when missing or stale."""
    from filelock import FileLock

    from nlp.e5.build import cache_root, ensure_base

    base_dir = ensure_base()
    meta = read_meta(part_dir)
    key = encoder_digest(part_dir)
    target = (cache_dir or cache_root() / BUILTIN_NAME) / key
    manifest = target / ASSEMBLED_MANIFEST
    if manifest.is_file() and (target / "model.safetensors").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if manifest.is_file():
            return target
        from safetensors.torch import save_file  # imports torch (~1.7 s): only when a model is assembled

        with staged_dir(target) as tmp:
            config = classification_config(json.loads((base_dir / "config.json").read_text()), meta["labels"])
            config["max_length"] = meta.get("max_length", 256)
            (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n")
            save_file(assembled_state(base_dir, part_dir), str(tmp / "model.safetensors"), metadata={"format": "pt"})
            for name in ("tokenizer.json", "tokenizer_config.json"):
                shutil.copyfile(base_dir / name, tmp / name)
            (tmp / ASSEMBLED_MANIFEST).write_text(json.dumps({"part_digest": key, "meta": meta}, indent=2) + "\n")
    return target
