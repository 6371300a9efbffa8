"""Other ways to run molva-sentiment in ONNX Runtime, against the production int8 model. An experiment, not a test.

    python benchmarks/onnx_variants.py [--n 2000] [--workdir DIR]

Exports the assembled model again (into ``--workdir``, default a temporary folder) and builds:

- ``int8 per-channel``: the production recipe (dynamic int8, per-channel weights), one text per call;
- ``fused attention + int8``: ONNX Runtime's transformer optimizer (Attention, SkipLayerNorm, BiasGelu fusions, on an
  export with eager attention) before the same quantisation;
- ``weight-only int8, block 32 / 128``: ``MatMulNBits`` with 8 bits (activations quantised per block of a row), in
  batches of 32, as they would run;
- ``fp32``: the plain export in batches of 32.

For each: texts/s on RuReviews dev reviews (fixed sample) and on their distinct sentences, macro-F1 on the reviews,
and whether a text's result depends on the other texts (batches of 32 in reverse order, and alone). Needs the
``onnx_ir`` package (a dev dependency) for ``MatMulNBits``. Reads ``../shared/data/sentiment``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def export(model_dir: Path, target: Path, attention: str) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation=attention
    ).eval()
    ids = torch.tensor([[0, 903, 4, 2], [0, 903, 2, 1]])
    with torch.inference_mode():
        torch.onnx.export(
            model,
            (ids, (ids != 1).long()),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"}, "logits": {0: "b"}},
            opset_version=17,
            dynamo=False,
        )


def build(model_dir: Path, work: Path) -> dict[str, tuple[Path, int]]:
    """Variant name -> (ONNX file, batch size it runs with)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    from onnxruntime.transformers.optimizer import optimize_model

    from nlp.sentiment.onnx_backend import export_onnx

    fp32, eager = work / "fp32.onnx", work / "eager.onnx"
    export(model_dir, fp32, "sdpa")
    export(model_dir, eager, "eager")
    fused = optimize_model(str(eager), model_type="bert", num_heads=12, hidden_size=384, opt_level=1)
    fused.save_model_to_file(str(work / "fused.onnx"))
    quantize_dynamic(
        str(work / "fused.onnx"),
        str(work / "fused.int8pc.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": 1},  # the fused ops' outputs have no inferred type
    )
    variants = {
        "int8 per-channel (production)": (export_onnx(model_dir), 1),
        "fused attention + int8 per-channel": (work / "fused.int8pc.onnx", 1),
    }
    for block in (32, 128):
        out = work / f"nbits8-b{block}.onnx"
        quantizer = MatMulNBitsQuantizer(str(fp32), bits=8, block_size=block, is_symmetric=True, accuracy_level=4)
        quantizer.process()
        quantizer.model.save_model_to_file(str(out), use_external_data_format=False)
        variants[f"weight-only int8 (MatMulNBits), block {block}"] = (out, 32)
    variants["fp32"] = (fp32, 32)
    return variants


def main() -> None:
    from tokenizers import Tokenizer

    from nlp.onnx_session import TextRunner
    from nlp.sentences import split_sentences
    from nlp.sentiment.artifact import assemble
    from nlp.sentiment.base import label_projection
    from nlp.sentiment.datasets import load_set
    from nlp.sentiment.metrics import classification_report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="RuReviews dev texts (fixed sample)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    model_dir = assemble()
    config = json.loads((model_dir / "config.json").read_text())
    projection = label_projection({int(k): v for k, v in config["id2label"].items()})
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(512)
    tokenizer.no_padding()
    frame = load_set("ru_rureviews_dev").sample(n=args.n, random_state=7)
    gold = frame["label"].tolist()
    reviews = tokenizer.encode_batch(frame["text"].astype(str).tolist())
    distinct = list(dict.fromkeys(s.text for t in frame["text"].astype(str) for s in split_sentences(t)))
    sentences = tokenizer.encode_batch(distinct)
    print(f"{len(reviews)} reviews ({np.mean([len(e.ids) for e in reviews]):.1f} tokens), "
          f"{len(sentences)} distinct sentences ({np.mean([len(e.ids) for e in sentences]):.1f} tokens)")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        variants = build(model_dir, work)
        print(f"{'variant':<44} {'batch':>5} {'reviews/s':>9} {'sent/s':>7} {'macroF1':>8}  depends on the others?")
        for name, (path, batch) in variants.items():
            runner = TextRunner(path, "logits", int(config.get("pad_token_id", 1)), batch_size=batch)
            runner.run(reviews[:64])  # warm-up
            start = time.perf_counter()
            logits = runner.run(reviews)
            rate_reviews = len(reviews) / (time.perf_counter() - start)
            start = time.perf_counter()
            runner.run(sentences)
            rate_sentences = len(sentences) / (time.perf_counter() - start)
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = (probs / probs.sum(axis=1, keepdims=True)) @ projection
            f1 = classification_report(gold, probs)["macro_f1"]
            sample = reviews[:300]
            together = TextRunner(path, "logits", 1, batch_size=32).run(sample)
            reverse = TextRunner(path, "logits", 1, batch_size=32).run(sample[::-1])[::-1]
            alone = TextRunner(path, "logits", 1, batch_size=1).run(sample)
            moved = max(float(np.abs(together - reverse).max()), float(np.abs(together - alone).max()))
            print(f"{name:<44} {batch:>5} {rate_reviews:>9.1f} {rate_sentences:>7.1f} {f1:>8.4f}  "
                  f"largest logit change at batch 32 vs reversed / alone: {moved:.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
