"""Sentence embeddings from the int8 ONNX export of the e5 base (:mod:`nlp.e5.onnx_export`): no torch at run time.

Same contract as :class:`nlp.e5.embedder.E5Embedder`: ``"query: "`` prefix, mean pooling, L2-normalised float32,
texts truncated to 512 tokens. Texts are tokenised once with the base's own ``tokenizer.json`` (the ``tokenizers``
library) and run by :class:`nlp.onnx_session.TextRunner`: one text per call by default, so a sentence's vector
never depends on the other sentences (in batches of 32 the same sentence moved by up to 0.009 in cosine, enough to
change topic assignments), with one call per core running at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nlp.onnx_session import TextRunner

MAX_TOKENS = 512
PAD_ID = 1


class OnnxE5Encoder:
    """The e5 base as an int8 ONNX Runtime session (exported on first use when ``base_dir`` has no valid export)."""

    def __init__(self, base_dir: Path | str | None = None, threads: int | None = None, batch_size: int = 1) -> None:
        from tokenizers import Tokenizer

        from nlp.e5.build import ensure_base
        from nlp.e5.onnx_export import ensure_onnx

        base = ensure_base(base_dir)
        path = ensure_onnx(base)
        self.model_path = path
        self.tokenizer: Any = Tokenizer.from_file(str(base / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.runner = TextRunner(path, "embedding", PAD_ID, batch_size=batch_size, threads=threads)
        self.dim = int(self.runner.session.get_outputs()[0].shape[-1] or 384)

    def encode(self, texts: list[str], prefix: str = "query: ") -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of unit vectors, one row per text, in input order."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.runner.run(self.tokenizer.encode_batch([prefix + (t or "") for t in texts]))
