"""Transformers backend: any local sequence-classification model with 2, 3 or 5 sentiment classes.

Models load from a local directory or the local Hugging Face cache only (``local_files_only``): Molva never
downloads at run time. CUDA is used when present; on CPU, batches are length-sorted so padding stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.base import SentimentModel, label_projection
from nlp.sentiment.opinion import OpinionHead


class TransformersSentiment(SentimentModel):
    """``AutoModelForSequenceClassification`` behind the :class:`SentimentModel` interface."""

    def __init__(
        self,
        model: str | Path,
        *,
        name: str | None = None,
        version: str = "unversioned",
        device: str = "auto",
        batch_size: int = 32,
        max_length: int | None = None,
        threads: int | None = None,
        opinion: OpinionHead | None = None,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - pinned dependencies
            raise ImportError(
                "the transformers backend needs torch and transformers: pip install torch transformers"
            ) from exc
        from nlp.e5.embedder import resolve_device

        if threads:
            torch.set_num_threads(threads)
        self.name = name or str(model)
        self.version = version
        self.opinion = opinion
        self.device = resolve_device(device)
        self.batch_size = batch_size
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(str(model), local_files_only=True)
            self.model: Any = AutoModelForSequenceClassification.from_pretrained(str(model), local_files_only=True)
        except OSError as exc:
            raise FileNotFoundError(
                f"model {model!r} is neither a local directory nor in the local Hugging Face cache "
                "(Molva does not download models at run time)"
            ) from exc
        self.model.to(self.device).eval()
        config = self.model.config
        self.projection = label_projection({int(k): v for k, v in config.id2label.items()})
        limit = getattr(config, "max_length", None) if max_length is None else max_length
        self.max_length = int(min(limit or 512, config.max_position_embeddings - 2, 512))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.predict_features(texts)[0]

    def predict_features(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        import torch

        from nlp.sentiment.features import pooled_features

        out = np.zeros((len(texts), 3), dtype=np.float32)
        features = np.zeros((len(texts), 2 * int(self.model.config.hidden_size)), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in idx],
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                ).to(self.device)
                result = self.model(**batch, output_hidden_states=True)
                probs = torch.softmax(result.logits.float(), dim=-1).cpu().numpy()
                out[idx] = probs @ self.projection
                pooled = pooled_features(result.hidden_states[-1].float(), batch["attention_mask"])
                features[idx] = pooled.cpu().numpy()
        return out, features
