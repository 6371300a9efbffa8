"""``molva enrich``: every enrichment step on new or changed reviews, in the nightly's order, with progress.

Sentiment (per review and per sentence: ``review_sentiment``, ``sentence_sentiment``), near-duplicates and noise
flags, taxonomy topics, emerging topics. Each step's logic lives in its own ``nlp`` module; each skips content it has
already processed, so a rerun does no work.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.tasks.enrich import STEPS
from molva.cli.common import EXIT_PROBLEMS, ConfigOption, DbOption, config_path, console, db_path, fail

LABELS = {
    "sentiment": "sentiment (reviews + sentences)",
    "duplicates": "near-duplicates and noise flags",
    "topics": "taxonomy topics",
    "emerging": "emerging topics",
}


def _config_or_default(config: Path | None) -> Any:
    from molva.cli.common import load_config_or_exit
    from molva.config import TopicsConfig

    if config is not None or config_path(None).exists():
        return load_config_or_exit(config)
    return type("Defaults", (), {"topics": TopicsConfig()})()


def _summary(step: str, result: dict[str, Any]) -> str:
    if step == "sentiment":
        flags = ", ".join(f"{k} {v}" for k, v in sorted(result.get("flags", {}).items())) or "none"
        return (
            f"{result['model_name']} {result['model_version']}: {result['n_reviews']} reviews and "
            f"{result['n_sentences']} sentences classified, {result['n_already_done']} already up to date; "
            f"odd inputs: {flags}"
        )
    return ", ".join(f"{k} {v}" for k, v in result.items() if isinstance(v, (int, float, str))) or "nothing to do"


def enrich(
    db: DbOption = None,
    config: ConfigOption = None,
    step: Annotated[
        list[str] | None, typer.Option("--step", help=f"Only these steps (repeatable): {', '.join(STEPS)}.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Sentiment model (default: the config's).")] = None,
    backend: Annotated[str, typer.Option(help="auto (int8 ONNX on CPU), onnx or transformers.")] = "auto",
    limit: Annotated[int | None, typer.Option(help="Classify at most this many pending reviews (sentiment).")] = None,
    sentences: Annotated[bool, typer.Option(help="Also classify each sentence.")] = True,
    batch_size: Annotated[int, typer.Option(help="Reviews per transaction (sentiment).")] = 256,
) -> None:
    """Run every enrichment step (or the --step ones) on reviews not processed yet, showing progress.

    Exit code 1 when a step failed (the next steps still run).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from flows.tasks.enrich import RUNNERS, as_dict
    from nlp.sentiment.enrich import enrich_sentiment
    from nlp.sentiment.registry import load_sentiment_model
    from warehouse.db import WarehouseOpenError, open_writable

    steps = list(step or STEPS)
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        fail(f"unknown step(s) {', '.join(unknown)}; known: {', '.join(STEPS)}", code=2)
    steps = [s for s in STEPS if s in steps]  # always the nightly's order: topic polarity reads sentence sentiment
    cfg = _config_or_default(config)
    path = db_path(db, config)
    try:  # first, so that a locked or foreign warehouse is a message before any model is loaded
        con = open_writable(path)
    except WarehouseOpenError as exc:
        fail(str(exc))
    sentiment_model = None
    if "sentiment" in steps:
        name = model or getattr(getattr(cfg, "nlp", None), "sentiment_model", None)
        try:
            sentiment_model = load_sentiment_model(name, backend=backend)
        except (FileNotFoundError, ValueError, ImportError) as exc:
            con.close()
            fail(str(exc))
    failed: list[str] = []
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
            ids = {s: bar.add_task(LABELS[s], total=None, start=False) for s in steps}
            for s in steps:
                bar.start_task(ids[s])
                started = time.perf_counter()
                try:
                    if s == "sentiment" and sentiment_model is not None:

                        def advance(done: int, total: int) -> None:
                            bar.update(ids["sentiment"], completed=done, total=total)

                        result = enrich_sentiment(
                            con, sentiment_model, limit=limit, sentences=sentences, batch_size=batch_size,
                            progress=advance,
                        ).as_dict()  # fmt: skip
                    else:
                        result = as_dict(RUNNERS[s](con, cfg))
                except Exception as exc:  # report it and go on, like the nightly
                    failed.append(s)
                    bar.update(ids[s], total=1, completed=0, description=f"[red]{LABELS[s]}: failed")
                    console.print(f"[red]{s} failed[/red]: {type(exc).__name__}: {exc}", highlight=False)
                    continue
                total = bar.tasks[ids[s]].total or 1
                bar.update(ids[s], total=total, completed=total)
                line = f"{s} ({time.perf_counter() - started:.1f} s): {_summary(s, result)}"
                console.print(line, highlight=False, soft_wrap=True)
    finally:
        con.close()
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    """Attach ``molva enrich`` to the main app."""
    app.command("enrich")(enrich)
