"""``molva enrich``: add sentiment (review and sentence level) to new or changed reviews in the warehouse.

Later stages (topics, duplicates) plug in here as well; each stage's logic lives in its own ``nlp`` module.
"""

from __future__ import annotations

from typing import Annotated

import typer

from molva.cli.common import ConfigOption, DbOption, console, db_path, fail, progress_bar


def enrich(
    db: DbOption = None,
    config: ConfigOption = None,
    model: Annotated[str | None, typer.Option(help="Sentiment model (default molva-sentiment).")] = None,
    backend: Annotated[str, typer.Option(help="auto (int8 ONNX on CPU), onnx or transformers.")] = "auto",
    limit: Annotated[int | None, typer.Option(help="Classify at most this many pending reviews.")] = None,
    sentences: Annotated[bool, typer.Option(help="Also classify each sentence.")] = True,
    batch_size: Annotated[int, typer.Option(help="Reviews per transaction.")] = 256,
) -> None:
    """Classify reviews the model has not seen yet (new, edited, or seen by another model version).

    Writes review_sentiment and sentence_sentiment; a rerun skips content already classified by the same model.
    """

    from nlp.sentiment.enrich import enrich_sentiment
    from nlp.sentiment.registry import load_sentiment_model
    from warehouse.db import connect

    path = db_path(db, config)
    try:
        sentiment = load_sentiment_model(model, backend=backend)
    except (FileNotFoundError, ValueError, ImportError) as exc:
        fail(str(exc))
    con = connect(path)
    try:
        with progress_bar("sentiment") as progress:
            stats = enrich_sentiment(
                con, sentiment, limit=limit, sentences=sentences, batch_size=batch_size, progress=progress
            )
    finally:
        con.close()
    flags = ", ".join(f"{k} {v}" for k, v in sorted(stats.flags.items())) or "none"
    console.print(
        f"sentiment ({stats.model_name} {stats.model_version}): {stats.n_reviews} reviews and {stats.n_sentences} "
        f"sentences classified, {stats.n_already_done} already up to date; odd inputs: {flags}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach ``molva enrich`` to the main app."""
    app.command("enrich")(enrich)
