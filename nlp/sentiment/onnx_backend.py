"""ONNX Runtime backend: the classifier exported to ONNX and quantised to int8, for CPU speed.

Export and quantisation happen once per model directory and are cached in ``<model dir>/onnx/``. Inference needs
only onnxruntime and the ``tokenizers`` library (no torch). The int8 model runs one text per call, one call per core
at once (:class:`nlp.onnx_session.TextRunner`); the fp32 export runs length-bucketed batches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.onnx_session import TextRunner
from nlp.sentiment.base import SentimentModel, label_projection
from nlp.sentiment.opinion import OpinionHead

ONNX_DIR = "onnx"
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8pc.feat.onnx"  # per-channel int8 weights; the name changes when the recipe does
#: The one output: the class logits, then the features the opinion head reads (the last layer's ``<s>`` state and
#: its masked mean over tokens, 2 x hidden size).
OUTPUT = "logits_features"


def export_onnx(model_dir: Path, quantize: bool = True) -> Path:
    """Export ``model_dir`` (HF sequence classifier) to ONNX, int8-quantised by default; returns the file path."""
    from filelock import FileLock

    out_dir = model_dir / ONNX_DIR
    target = out_dir / (INT8_FILE if quantize else FP32_FILE)
    if target.is_file():
        return target
    out_dir.mkdir(exist_ok=True)
    with FileLock(str(out_dir / ".export.lock")):
        if target.is_file():
            return target
        fp32 = out_dir / FP32_FILE
        if not fp32.is_file():
            _export_fp32(model_dir, fp32)
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = target.with_suffix(".tmp.onnx")
            # Per-channel scales: per-tensor int8 cost 0.8 macro-F1 points on RuReviews dev and 1.5 accuracy points
            # on UCI; per-channel costs 0.0 and 0.4 (measured on molva-sentiment v1, docs/models.md).
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            tmp.rename(target)
            fp32.unlink()  # 470 MB that only a re-quantisation would need; exporting again takes ~20 s
    return target


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), local_files_only=True).eval()
    ids = torch.tensor([[0, 903, 4, 2], [0, 903, 2, 1]])
    mask = (ids != 1).long()
    tmp = target.with_suffix(".tmp.onnx")
    with torch.inference_mode():
        torch.onnx.export(
            WithFeatures(model),
            (ids, mask),
            str(tmp),
            input_names=["input_ids", "attention_mask"],
            output_names=[OUTPUT],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                OUTPUT: {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    tmp.rename(target)


def WithFeatures(model: Any) -> Any:
    """Wrap a sequence classifier so one forward pass returns ``[logits | <s> state | mean state]``."""
    import torch

    from nlp.sentiment.features import pooled_features

    class _WithFeatures(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
            features = pooled_features(out.hidden_states[-1], attention_mask)
            return torch.cat([out.logits, features], dim=-1)

    return _WithFeatures()


class OnnxSentiment(SentimentModel):
    """Int8 ONNX classifier behind the :class:`SentimentModel` interface."""

    def __init__(
        self,
        model_dir: str | Path,
        *,
        name: str | None = None,
        version: str = "unversioned",
        batch_size: int = 32,
        max_length: int | None = None,
        threads: int | None = None,
        quantize: bool = True,
        opinion: OpinionHead | None = None,
    ) -> None:
        try:
            import onnxruntime  # noqa: F401  (a clear message here rather than deep inside cpu_session)
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - pinned dependencies
            raise ImportError("the ONNX backend needs onnxruntime and tokenizers: pip install onnxruntime") from exc
        model_dir = Path(model_dir)
        self.model_dir = model_dir
        self.name = name or str(model_dir)
        self.version = version
        self.opinion = opinion
        # int8 models run one text per call (see TextRunner): a result never depends on what else is classified.
        self.batch_size = 1 if quantize else batch_size
        config = json.loads((model_dir / "config.json").read_text())
        self.projection = label_projection({int(k): v for k, v in config["id2label"].items()})
        limit = max_length or config.get("max_length") or 512
        self.max_length = int(min(limit, config["max_position_embeddings"] - 2, 512))
        self.pad_id = int(config.get("pad_token_id", 1))
        self.tokenizer: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        path = export_onnx(model_dir, quantize=quantize)
        self.runner = TextRunner(path, OUTPUT, self.pad_id, batch_size=self.batch_size, threads=threads)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.predict_features(texts)[0]

    def predict_features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        n_classes = len(self.projection)
        if not texts:
            return np.zeros((0, 3), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
        out = self.runner.run(self.tokenizer.encode_batch(list(texts)))
        logits = out[:, :n_classes]
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return np.asarray(probs @ self.projection, dtype=np.float32), out[:, n_classes:]
