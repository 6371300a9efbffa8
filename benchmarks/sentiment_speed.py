"""Speed, memory and accuracy of molva-sentiment: the naive path against Molva's production path.

Both paths classify the same 2,000 RuReviews dev texts (fixed sample) in one process:

* naive: ``transformers.pipeline("text-classification")``, fp32, batch 32, texts in file order (no sorting);
* production: :class:`nlp.sentiment.onnx_backend.OnnxSentiment` with its opinion head, through ``predict`` exactly
  as ``molva enrich`` calls it — int8 ONNX Runtime, one text per call (so results do not depend on batch
  neighbours), intra-op threads tuned to the cores the process may use, text cleaning and the four-label head.

Macro-F1 is the three-class view (neutral = mixed or none; the naive path has no "none").

It prints reviews/s, peak RSS (VmHWM, reset between paths through /proc/self/clear_refs) and macro-F1 for each.
Run on a quiet machine: ``python benchmarks/sentiment_speed.py [--n 2000] [--threads N]``. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.sentiment.datasets import load_set
from nlp.sentiment.metrics import classification_report


def peak_rss_mb() -> float:
    """Peak resident set size of this process since the last reset, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    """Reset VmHWM to the current RSS (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def naive(model_dir: Path, texts: list[str], threads: int) -> np.ndarray:
    import torch
    from transformers import pipeline

    torch.set_num_threads(threads)
    clf = pipeline("text-classification", model=str(model_dir), device=-1, top_k=None)
    labels = ["negative", "neutral", "positive"]
    out = np.zeros((len(texts), 3), dtype=np.float32)
    start = time.perf_counter()
    results = clf(texts, batch_size=32, truncation=True, max_length=256)
    seconds = time.perf_counter() - start
    for i, scores in enumerate(results):
        for item in scores:
            out[i, labels.index(item["label"])] = item["score"]
    naive.seconds = seconds  # type: ignore[attr-defined]
    return out


def production(model_dir: Path, texts: list[str], threads: int | None) -> np.ndarray:
    from nlp.sentiment.artifact import load_opinion_head
    from nlp.sentiment.onnx_backend import OnnxSentiment

    clf = OnnxSentiment(model_dir, threads=threads, batch_size=32, opinion=load_opinion_head())
    clf.predict(texts[:32])  # warm-up: first-run graph optimisation and allocations
    start = time.perf_counter()
    preds = clf.predict(texts, kind="review")
    production.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return np.array([[p.p_negative, p.p_mixed + p.p_none, p.p_positive] for p in preds])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="texts from ru_rureviews_dev (fixed sample)")
    parser.add_argument("--threads", type=int, default=None, help="production intra-op threads (default: tuned)")
    parser.add_argument("--naive-threads", type=int, default=2, help="torch threads for the naive path")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    import subprocess

    from nlp.onnx_session import default_threads
    from nlp.sentiment.artifact import assemble

    # Assembly and the one-off ONNX export are setup (`molva models build`), not inference: run them in a child
    # process so neither the timings nor this process's peak memory include them.
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "molva.cli.main", "models", "build"], cwd=root, check=True)
    frame = load_set("ru_rureviews_dev").sample(n=args.n, random_state=7)
    texts, gold = frame["text"].astype(str).tolist(), frame["label"].tolist()
    model_dir = assemble()
    rows = []
    # Production first: its peak RSS is then measured before torch has grown the heap.
    for name, run, threads in (
        ("production (int8 ONNX, one text per call, a call per core)", production, args.threads or default_threads()),
        ("naive (pipeline fp32, batch 32, unsorted)", naive, args.naive_threads),
    ):
        reset_peak_rss()
        probs = run(model_dir, texts, threads)
        seconds = run.seconds  # type: ignore[attr-defined]
        report = classification_report(gold, probs)
        rows.append({"path": name, "threads": threads, "seconds": round(seconds, 1),
                     "reviews_per_s": round(len(texts) / seconds, 1), "peak_rss_mb": round(peak_rss_mb()),
                     "macro_f1": report["macro_f1"], "accuracy": report["accuracy"]})  # fmt: skip
        gc.collect()
    prod, base = rows
    speedup = prod["reviews_per_s"] / base["reviews_per_s"]
    f1_loss = round((base["macro_f1"] - prod["macro_f1"]) * 100, 2)
    print(f"{'path':<50} {'thr':>3} {'s':>7} {'rev/s':>8} {'RSS MB':>7} {'macroF1':>8} {'acc':>7}")
    for r in rows:
        print(f"{r['path']:<50} {r['threads']:>3} {r['seconds']:>7} {r['reviews_per_s']:>8} {r['peak_rss_mb']:>7} "
              f"{r['macro_f1']:>8} {r['accuracy']:>7}")  # fmt: skip
    print(f"speed-up {speedup:.1f}x, macro-F1 change {-f1_loss:+.2f} points, n={len(texts)}")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "speedup": round(speedup, 2), "f1_loss_points": f1_loss}, indent=2)
        )


if __name__ == "__main__":
    main()
