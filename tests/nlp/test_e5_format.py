"""The E5S1 reader decodes Q4_0 blocks and rejects files that are not E5S1."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from nlp.e5.e5s1 import E5S1File, E5S1FormatError, dequantize_q4_0


def _q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = nibble j (low) | nibble j+16 (high)."""
    packed = bytes((nibbles[j] & 0x0F) | ((nibbles[j + 16] & 0x0F) << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def test_dequantize_q4_0_applies_scale_and_minus_eight() -> None:
    nibbles = list(range(16)) + list(range(15, -1, -1))
    values = dequantize_q4_0(_q4_block(0.5, nibbles), 32)
    expected = (np.array(nibbles, dtype=np.float32) - 8) * 0.5
    np.testing.assert_array_equal(values, expected)


def test_dequantize_rejects_partial_block() -> None:
    with pytest.raises(E5S1FormatError):
        dequantize_q4_0(b"\x00" * 18, 20)


def _tiny_file(path: Path) -> None:
    """A minimal E5S1 file: header, an empty tokenizer, and two tensors (one fp32, one Q4_0)."""
    header = b"E5S1" + struct.pack("<I7ifi", 1, 32, 1, 1, 64, 2, 4, 1, 1e-12, 32)
    tokenizer = struct.pack("<5iQ", 0, 0, 2, 1, 3, 0) + struct.pack("<I", 0) + struct.pack("<iI", 0, 0)
    vec = np.arange(32, dtype="<f4").tobytes()
    mat = _q4_block(1.0, [9] * 32)
    names = [("emb.ln.w", 0, 32, vec), ("emb.word", 1, 32, mat)]
    dir_size = sum(2 + len(n) + 1 + 20 for n, *_ in names) + 4
    offset = len(header) + len(tokenizer) + dir_size
    directory = struct.pack("<i", len(names))
    blobs = b""
    for name, dtype, count, blob in names:
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([dtype])
        directory += struct.pack("<IQQ", count, offset + len(blobs), len(blob))
        blobs += blob
    path.write_bytes(header + tokenizer + directory + blobs)


def test_reader_decodes_header_and_tensors(tmp_path: Path) -> None:
    path = tmp_path / "tiny.bin"
    _tiny_file(path)
    src = E5S1File(path)
    assert (src.header.hidden, src.header.layers, src.header.vocab, src.header.max_positions) == (32, 1, 2, 4)
    np.testing.assert_array_equal(src.tensor("emb.ln.w", (32,)), np.arange(32, dtype=np.float32))
    np.testing.assert_array_equal(src.tensor("emb.word", (1, 32)), np.ones((1, 32), dtype=np.float32))
    with pytest.raises(E5S1FormatError, match="expected"):
        src.tensor("emb.word", (2, 32))
    with pytest.raises(E5S1FormatError, match="missing"):
        src.tensor("l0.q.w", (32, 32))


def test_reader_rejects_bad_magic_and_truncation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + b"\x00" * 100)
    with pytest.raises(E5S1FormatError, match="magic"):
        E5S1File(bad)
    good = tmp_path / "tiny.bin"
    _tiny_file(good)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(good.read_bytes()[:-10])
    with pytest.raises(E5S1FormatError):
        E5S1File(cut)
