"""``molva classify``: add sentiment (and language) to a Parquet, CSV or JSON Lines file of texts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, console, fail, progress_bar


def classify(
    input: Annotated[Path, typer.Option("--input", "-i", help="Parquet, CSV or JSON Lines file.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file (.parquet, .csv or .jsonl).")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    model: Annotated[
        str | None, typer.Option(help="molva-sentiment (default), a trained-part dir, a local HF dir or a cached id.")
    ] = None,
    level: Annotated[
        str, typer.Option(help="review: one row per input row; sentence: one row per sentence.")
    ] = "review",
    kind: Annotated[
        str, typer.Option(help="review: reviews; mention: social-media posts (most express no opinion).")
    ] = "review",
    backend: Annotated[str, typer.Option(help="auto (int8 ONNX on CPU), onnx or transformers.")] = "auto",
    batch_size: Annotated[int, typer.Option(help="Texts per model call.")] = 32,
) -> None:
    """Classify each text (or sentence) as negative / mixed / positive opinion or none, keeping all input columns.

    Adds language, sentiment_label, sentiment_score (p_positive - p_negative), p_negative, p_mixed, p_positive,
    p_none (docs/models.md: the four labels);
    at sentence level also sentence_index, start, end (offsets into the text) and sentence_text. Odd rows (empty,
    very long, HTML entities, emoji only, invalid UTF-8, unparsable JSON lines) are counted in the summary.
    """
    from rich.table import Table

    from nlp.sentiment.classify_table import classify_frame
    from nlp.sentiment.registry import load_sentiment_model
    from nlp.sentiment.table_io import InputError, read_table, write_table

    if level not in ("review", "sentence"):
        fail(f"--level must be review or sentence, not {level!r}", code=2)
    if kind not in ("review", "mention"):
        fail(f"--kind must be review or mention, not {kind!r}", code=2)
    try:
        read = read_table(input, text_column)
    except InputError as exc:
        fail(str(exc))
    for line in read.bad_lines[:20]:
        console.print(f"[yellow]warning[/yellow] {input}:{line}: not a JSON object, skipped", highlight=False)
    try:
        sentiment = load_sentiment_model(model, backend=backend, batch_size=batch_size)
    except (FileNotFoundError, ValueError, ImportError) as exc:
        fail(str(exc))
    with progress_bar("classifying") as progress:
        frame, counts = classify_frame(read.frame, text_column, sentiment, level=level, kind=kind, progress=progress)
    write_table(frame, output)
    summary = Table(title=f"{input.name} → {output.name} ({sentiment.name} {sentiment.version})")
    summary.add_column("what")
    summary.add_column("rows", justify="right")
    summary.add_row("input rows", str(len(read.frame)))
    summary.add_row("output rows", str(len(frame)))
    for label, n in frame["sentiment_label"].value_counts().items():
        summary.add_row(f"label {label}", str(n))
    odd = {"empty": "empty / whitespace", "too_long": "too long (head+tail kept)", "html_entities": "HTML entities",
           "emoji_only": "no words (emoji only …)", "invalid_utf8": "invalid UTF-8", "sentences_capped":
           "sentences capped"}  # fmt: skip
    for key, text in odd.items():
        summary.add_row(text, str(counts.get(key, 0)))
    summary.add_row("unparsable JSON lines (skipped)", str(len(read.bad_lines)))
    summary.add_row("language other", str(int((frame["language"] == "other").sum())))
    console.print(summary)
    if read.bad_lines:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    """Attach ``molva classify`` to the main app."""
    app.command("classify")(classify)
