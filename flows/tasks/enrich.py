"""Enrich new or changed reviews: sentiment, near-duplicates and noise flags, taxonomy topics, emerging topics.

Sentiment comes first because topic polarity reads the sentence sentiment. Each enricher skips content it has already
processed (same ``content_hash``, model and taxonomy), so a rerun of the same night does no work. ``RUNNERS`` are the
steps on one connection (``enrich_task``, ``molva enrich``, the benchmarks); the nightly runs them as separate tasks
with sentiment in review shards (``flows/tasks/shards.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

from prefect import task

STEPS = ("sentiment", "duplicates", "topics", "emerging")


def as_dict(result: Any) -> dict[str, Any]:
    """An enricher's result (a dataclass, a dict or anything else) as a plain dict for summaries."""
    if is_dataclass(result) and not isinstance(result, type):
        result = asdict(result)
    if isinstance(result, dict):
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in result.items()}
    return {"result": str(result)}


def load_model(config: Any) -> Any:
    """The configured sentiment model (built-in molva-sentiment unless the config names another)."""
    from nlp.sentiment.registry import load_sentiment_model

    nlp = config.nlp
    return load_sentiment_model(nlp.sentiment_model, device=nlp.device, batch_size=nlp.batch_size)


def _sentiment(con: Any, config: Any) -> Any:
    from nlp.sentiment.enrich import enrich_sentiment

    return enrich_sentiment(con, load_model(config))


def _duplicates(con: Any, config: Any) -> Any:
    from nlp.dedup import enrich_duplicates

    return enrich_duplicates(con)


def _topics(con: Any, config: Any) -> Any:
    from nlp.topics.enrich import enrich_topics

    return enrich_topics(con, taxonomy_path=config.topics.taxonomy)


def _emerging(con: Any, config: Any) -> Any:
    from nlp.topics.emerging import update_emerging

    return update_emerging(con)


RUNNERS: dict[str, Callable[[Any, Any], Any]] = {
    "sentiment": _sentiment,
    "duplicates": _duplicates,
    "topics": _topics,
    "emerging": _emerging,
}


@task(name="enrich")
def enrich_task(db_path: str, config: Any, steps: tuple[str, ...] = STEPS) -> dict[str, dict[str, Any]]:
    """Run the enrichment steps in order on one connection; returns each step's counts (or error) and seconds.

    A failing step is reported as ``status: failed`` and the next steps still run on what is there.
    """
    from warehouse.db import connect

    unknown = [s for s in steps if s not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown enrichment step(s) {unknown}; known: {list(RUNNERS)}")
    report: dict[str, dict[str, Any]] = {}
    con = connect(db_path)
    try:
        for step in steps:
            started = time.perf_counter()
            try:
                result = RUNNERS[step](con, config)
            except Exception as exc:  # one broken enricher must not keep the others (or the marts) from running
                report[step] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
            else:
                report[step] = {"status": "success", **as_dict(result)}
            report[step]["seconds"] = round(time.perf_counter() - started, 2)
    finally:
        con.close()
    return report
