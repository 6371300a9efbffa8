"""``molva eval sentiment``: accuracy, macro-F1 and per-class figures of a sentiment model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import console, fail

eval_app = typer.Typer(help="Measure model quality on labelled data.", no_args_is_help=True)


@eval_app.command("sentiment")
def sentiment(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Labelled file(s) with text and label columns; default: the held-out sets."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model (default molva-sentiment).")] = None,
    backend: Annotated[str, typer.Option(help="auto (int8 ONNX on CPU), onnx or transformers.")] = "auto",
    text_column: Annotated[str, typer.Option(help="Text column of --data files.")] = "text",
    label_column: Annotated[str, typer.Option(help="Gold label column of --data files.")] = "label",
    kind: Annotated[str, typer.Option(help="What --data texts are: review, sentence or mention.")] = "review",
    neutral: Annotated[
        str, typer.Option(help="What a 'neutral' gold label in --data means: mixed (reviews) or none (mentions).")
    ] = "mixed",
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")] = None,
) -> None:
    """Print the four-label and three-class figures for each data set.

    Without --data: ru_rureviews_dev, the held-out half of the UCI sentences, the SemEval-2016 test-half sentences
    (with and without opinions) and the fixed dev splits of the SentiRuEval-2016 banks/telecom and SemEval-2017
    tweet sets (../shared/data); none of them is trained on. The three-class view reads neutral as mixed or none,
    as those sets are scored; sets without neutral gold labels are scored on the sign of p_positive - p_negative.
    """
    from rich.table import Table

    from nlp.sentiment.evaluate import evaluate_sets, load_labelled, standard_sets
    from nlp.sentiment.opinion import KINDS
    from nlp.sentiment.registry import load_sentiment_model
    from nlp.sentiment.table_io import InputError

    if kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}", code=2)
    try:
        sets = (
            {p.stem: (kind, load_labelled(p, text_column, label_column, neutral)) for p in data}
            if data
            else standard_sets()
        )
    except (InputError, FileNotFoundError) as exc:
        fail(str(exc))
    try:
        clf = load_sentiment_model(model, backend=backend)
    except (FileNotFoundError, ValueError, ImportError) as exc:
        fail(str(exc))
    results = evaluate_sets(clf, sets)
    summary = Table(title=f"{clf.name} {clf.version}" + ("" if clf.opinion else " (no opinion head: p_none = 0)"))
    for column in ("set", "kind", "n", "3-class macro-F1", "macro-F1(pos,neg)", "3-class acc", "4-label acc",
                   "4-label macro-F1", "called none", "texts/s"):  # fmt: skip
        summary.add_column(column, justify="left" if column in ("set", "kind") else "right")
    for name, r in results.items():
        three, four = r["three_class"], r["labels4"]
        summary.add_row(name, r["kind"], str(r["n"]), f"{three['macro_f1']:.4f}", f"{three['macro_f1_pos_neg']:.4f}",
                        f"{three['accuracy']:.4f}", f"{four['accuracy']:.4f}", f"{four['macro_f1']:.4f}",
                        f"{four['predicted']['none'] / max(r['n'], 1):.1%}", str(r["texts_per_second"]))  # fmt: skip
    console.print(summary)
    for name, r in results.items():
        three, four = r["three_class"], r["labels4"]
        console.print(
            f"{name}: 3-class macro-F1 {three['macro_f1']:.4f}, macro-F1(pos,neg) {three['macro_f1_pos_neg']:.4f}; "
            f"4-label accuracy {four['accuracy']:.4f}, macro-F1 {four['macro_f1']:.4f}",
            highlight=False,
        )
    for name, r in results.items():
        table = Table(title=f"{name}: per class (four labels)")
        for column in ("class", "precision", "recall", "F1", "support"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for label, row in r["labels4"]["per_class"].items():
            table.add_row(label, f"{row['precision']:.4f}", f"{row['recall']:.4f}", f"{row['f1']:.4f}",
                          str(row["support"]))  # fmt: skip
        console.print(table)
    if json_out is not None:
        json_out.write_text(json.dumps({"model": clf.name, "version": clf.version, "sets": results}, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Attach ``molva eval`` to the main app."""
    app.add_typer(eval_app, name="eval")
