"""Resolve a model spec (the built-in name, a trained-part dir, a local HF dir, or a cached hub id) to a backend.

``backend="auto"`` uses int8 ONNX on CPU for speed and transformers on CUDA.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from nlp.sentiment.artifact import (
    BUILTIN_DIR,
    BUILTIN_NAME,
    META_FILE,
    TRAINED_FILE,
    assemble,
    load_opinion_head,
    model_version,
)
from nlp.sentiment.base import SentimentModel

BACKENDS = ("auto", "onnx", "transformers")


def _dir_version(model_dir: Path) -> str:
    """A cheap fingerprint of a local model: its config plus weight file names and sizes."""
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _cuda_available() -> bool:
    """True when torch sees a CUDA device. Without an NVIDIA driver, answers without importing torch (~1.7 s)."""
    if "torch" not in sys.modules and not any(Path(p).exists() for p in ("/proc/driver/nvidia", "/dev/nvidia0")):
        return False
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return bool(torch.cuda.is_available())


def part_dir_of(spec: str | Path | None) -> Path | None:
    """The trained-part directory a spec names (the built-in one for None), or None for other models."""
    if spec is None or str(spec) == BUILTIN_NAME:
        return BUILTIN_DIR
    path = Path(spec).expanduser()
    if path.is_dir() and (path / TRAINED_FILE).is_file() and (path / META_FILE).is_file():
        return path
    return None


def resolve(spec: str | Path | None) -> tuple[str, str, str | Path]:
    """``(name, version, what to load)`` for a model spec; builds the molva-sentiment dir when needed."""
    part = part_dir_of(spec)
    if part is not None:
        meta = json.loads((part / META_FILE).read_text())
        # Assembled into the cache (keyed by the encoder's digest), never next to the part itself.
        return str(meta.get("name", part.name)), model_version(part), assemble(part)
    path = Path(str(spec)).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path} has no config.json: not a Hugging Face model directory")
        return path.name, _dir_version(path), path.resolve()
    return str(spec), "hub-cache", str(spec)


def load_sentiment_model(
    spec: str | Path | None = None,
    *,
    backend: str = "auto",
    device: str = "auto",
    batch_size: int = 32,
    threads: int | None = None,
) -> SentimentModel:
    """Load a sentiment model; ``spec`` None means the built-in molva-sentiment."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    name, version, target = resolve(spec)
    part = part_dir_of(spec)
    opinion = load_opinion_head(part) if part is not None else None
    use_onnx = backend == "onnx" or (
        backend == "auto"
        and isinstance(target, Path)
        and device in ("auto", "cpu")
        and not (device == "auto" and _cuda_available())
    )
    if use_onnx:
        if not isinstance(target, Path):
            raise ValueError("the ONNX backend needs a local model directory")
        from nlp.sentiment.onnx_backend import OnnxSentiment

        return OnnxSentiment(
            target, name=name, version=version, batch_size=batch_size, threads=threads, opinion=opinion
        )
    from nlp.sentiment.hf_backend import TransformersSentiment

    return TransformersSentiment(
        target, name=name, version=version, device=device, batch_size=batch_size, threads=threads, opinion=opinion
    )
