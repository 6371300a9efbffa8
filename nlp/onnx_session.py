"""ONNX Runtime sessions for small, shared CPU machines: one set of options for every model Molva runs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np


def default_threads() -> int:
    """``$MOLVA_THREADS`` when set, else the cores this process may use, capped at 4 (more rarely help a small
    encoder, and 4 threads on 2 cores ran 3–5× slower)."""
    if os.environ.get("MOLVA_THREADS"):
        return max(1, int(os.environ["MOLVA_THREADS"]))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def cpu_session(path: Path | str, threads: int | None = None) -> Any:
    """An inference session on the CPU with full graph optimisation, ``threads`` intra-op threads and no spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle workers sleep instead of spinning: on a shared 2-core machine spinning threads steal the cores the other
    # worker needs (e5 sentences/s at load ~4: 110 spinning, 147 not; same vectors).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class TextRunner:
    """Runs tokenised texts (``tokenizers`` encodings) through an encoder exported to ONNX; one output row per text.

    With ``batch_size`` 1 (what the int8 models use) each text runs alone, so its result never depends on the other
    texts: dynamic int8 quantisation scales activations per call, and in batches of 32 reversing the order of 600
    RuReviews texts flipped 21 molva-sentiment labels. The cores are used by running ``threads`` texts at once, each
    call on one thread; this is faster than spreading one short text over all cores and gives bit-identical results
    (2,000 RuReviews texts on 2 cores: 95 texts/s on one thread, 107 with two threads per call, 193 with two calls
    of one thread each; ``python benchmarks/sentiment_speed.py``).
    Larger batches run one after another on ``threads`` intra-op threads, grouping texts of similar length so little
    compute goes into padding.
    """

    def __init__(
        self, path: Path | str, output: str, pad_id: int, *, batch_size: int = 1, threads: int | None = None
    ) -> None:
        self.output = output
        self.pad_id = pad_id
        self.batch_size = batch_size
        self.threads = threads or default_threads()
        self.workers = self.threads if batch_size == 1 else 1
        self.session: Any = cpu_session(path, 1 if batch_size == 1 else self.threads)

    def run(self, encodings: Sequence[Any]) -> np.ndarray:
        if not encodings:
            return np.zeros((0, 0), dtype=np.float32)
        lengths = np.array([len(e.ids) for e in encodings])
        # Longest first: with parallel calls the short texts at the end even out the workers' finishing times.
        order = np.argsort(-lengths, kind="stable")
        groups = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        if self.workers > 1 and len(groups) > 1:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="molva-onnx") as pool:
                results = list(pool.map(lambda idx: self._run_group(encodings, lengths, idx), groups))
        else:
            results = [self._run_group(encodings, lengths, idx) for idx in groups]
        out = np.zeros((len(encodings), results[0].shape[1]), dtype=np.float32)
        for idx, values in zip(groups, results, strict=True):
            out[idx] = values
        return out

    def _run_group(self, encodings: Sequence[Any], lengths: np.ndarray, idx: np.ndarray) -> np.ndarray:
        width = int(lengths[idx].max())
        ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : lengths[i]] = encodings[i].ids
            mask[row, : lengths[i]] = 1
        (values,) = self.session.run([self.output], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(values, dtype=np.float32)
