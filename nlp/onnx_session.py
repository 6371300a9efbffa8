"""ONNX Runtime sessions for small, shared CPU machines: one set of options for every model Molva runs."""

from __future__ import annotations

import os
from collections.abc import Sequence
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


def run_encodings(session: Any, output: str, encodings: Sequence[Any], pad_id: int, batch_size: int) -> np.ndarray:
    """``output`` of ``session`` for tokenised texts (``tokenizers`` encodings), one row per text in input order.

    With ``batch_size`` 1 each text runs alone: that is what the int8 models use, because dynamic int8 quantisation
    scales activations per call, so in a batch a text's result depends on its neighbours (molva-sentiment on 600
    RuReviews texts: reversing their order flipped 21 labels at batch 32, none at batch 1, at the same speed).
    Larger batches group texts of similar length so little compute goes into padding.
    """
    lengths = np.array([len(e.ids) for e in encodings])
    order = np.argsort(lengths, kind="stable")
    out: np.ndarray | None = None
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = int(lengths[idx].max())
        ids = np.full((len(idx), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, : lengths[i]] = encodings[i].ids
            mask[row, : lengths[i]] = 1
        (values,) = session.run([output], {"input_ids": ids, "attention_mask": mask})
        if out is None:
            out = np.zeros((len(encodings), values.shape[1]), dtype=np.float32)
        out[idx] = values
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)
