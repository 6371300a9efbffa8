"""ONNX Runtime sessions for small, shared CPU machines: one set of options for every model Molva runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


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
