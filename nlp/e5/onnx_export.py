"""Export the rebuilt e5 base to an int8 ONNX sentence encoder (mean pooling and L2 norm inside the graph), cached.

Why: on a 2-core CPU the torch fp32 encoder embeds ~110 short review sentences/s; ONNX Runtime with per-channel
dynamic int8 weights (the recipe of :mod:`nlp.sentiment.onnx_backend`) is several times faster at a cosine of ~0.99
to the fp32 vectors. The file is written to ``<base dir>/onnx/`` under a name that carries the recipe, with a manifest
holding the base's weight checksum and the file's own sha256: a base rebuilt from other weights, a changed recipe or a
corrupt file all make :func:`ensure_onnx` export again. ``nlp.e5.build.ensure_base`` deletes the whole base folder
when it rebuilds, so a stale export cannot outlive its base.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlp.cache_dirs import staged_dir
from nlp.e5.build import MANIFEST as BASE_MANIFEST
from nlp.e5.build import ensure_base, sha256_file

ONNX_DIR = "onnx"
#: the recipe: mean-pooled + L2-normalised output, opset 17, dynamic int8 weights with per-channel scales.
RECIPE = "e5-meanpool-l2-opset17-int8pc-v1"
INT8_FILE = f"{RECIPE}.onnx"
ONNX_MANIFEST = f"{RECIPE}.json"

_VERIFIED: dict[Path, tuple[int, int]] = {}


def _base_weights_sha(base_dir: Path) -> str:
    manifest = json.loads((base_dir / BASE_MANIFEST).read_text())
    return str(manifest["files"]["model.safetensors"])


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def is_valid(base_dir: Path) -> bool:
    """True when ``base_dir/onnx`` holds this recipe's export of exactly this base, uncorrupted."""
    target = base_dir / ONNX_DIR / INT8_FILE
    try:
        manifest = json.loads((base_dir / ONNX_DIR / ONNX_MANIFEST).read_text())
        if manifest.get("recipe") != RECIPE or manifest.get("base_weights_sha256") != _base_weights_sha(base_dir):
            return False
        if _VERIFIED.get(target) == _stamp(target):
            return True
        ok = sha256_file(target) == manifest.get("sha256")
    except (OSError, ValueError, KeyError):
        return False
    if ok:
        _VERIFIED[target] = _stamp(target)
    return ok


def _pooled_model(base_dir: Path) -> Any:
    """The HF encoder wrapped so the exported graph returns unit sentence vectors, not token states."""
    import torch
    from transformers import AutoModel

    class PooledE5(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_dir), add_pooling_layer=False, local_files_only=True)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return PooledE5().eval()


def _export(base_dir: Path, out_dir: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = _pooled_model(base_dir)
    ids = torch.tensor([[0, 903, 4, 2], [0, 903, 2, 1]])
    mask = (ids != 1).long()
    fp32 = out_dir / "fp32.tmp.onnx"
    with torch.inference_mode():
        torch.onnx.export(
            model,
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(out_dir / INT8_FILE), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def ensure_onnx(base_dir: Path | str | None = None) -> Path:
    """Path of the int8 ONNX encoder for the e5 base in ``base_dir`` (default: the cached base), exporting it first
    when missing, stale or corrupt. Exporting takes about a minute and ~2 GB of memory, once."""
    from filelock import FileLock

    base = ensure_base(base_dir)
    target = base / ONNX_DIR / INT8_FILE
    if is_valid(base):
        return target
    with FileLock(str(base) + ".onnx.lock"):
        if is_valid(base):
            return target
        with staged_dir(base / ONNX_DIR) as tmp:
            _export(base, tmp)
            manifest = {
                "recipe": RECIPE,
                "base_weights_sha256": _base_weights_sha(base),
                "sha256": sha256_file(tmp / INT8_FILE),
            }
            (tmp / ONNX_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    if not is_valid(base):  # pragma: no cover - only a concurrent writer outside the lock could cause this
        raise RuntimeError(f"{target}: export did not verify")
    return target
