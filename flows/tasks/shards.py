"""Enrichment as separate tasks, with sentiment split into review shards that can run on a Dask cluster.

DuckDB has one writer, so the work is split by who touches the file: the flow's own process reads the pending
reviews and writes every result (``sentiment-pending``, ``sentiment-store`` and the whole-warehouse steps
``duplicates``, ``topics``, ``emerging``); ``sentiment-shard`` tasks only compute — a shard of reviews in, review and
sentence rows out — so they can run in threads (the default), on a local Dask cluster or on a remote one
(``nlp.runner``, :func:`enrich_task_runner`). Each int8 model runs one text per call, so a shard's predictions do not
depend on which other reviews share it and any sharding stores the same rows as one local pass.

Idempotence and caching: the warehouse is the cache. A review is pending for sentiment while no row of the configured
model and version exists for its current ``content_hash``; a shard is stored in one transaction, so a crash or a
retry resumes at the first unstored shard. Prefect's result caching is off for these tasks (``NO_CACHE``): a cached
result would outlive the rows it describes, and hashing review frames costs more than it saves.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.tasks.enrich import RUNNERS, STEPS, as_dict


def enrich_task_runner(nlp: Any) -> TaskRunner[Any]:
    """The task runner of the enrichment subflow, from the config's ``nlp`` section.

    ``threads`` (default): ``nlp.workers`` threads in the flow's process. ``dask``: prefect-dask's DaskTaskRunner on
    the scheduler at ``nlp.dask_address`` (``tcp://host:8786``), or on a ``distributed.LocalCluster`` of
    ``nlp.workers`` single-threaded worker processes when no address is given.
    """
    if nlp.runner == "threads":
        return ThreadPoolTaskRunner(max_workers=nlp.workers)
    from prefect_dask import DaskTaskRunner

    if nlp.dask_address:
        return DaskTaskRunner(address=nlp.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": nlp.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        },
    )


@functools.lru_cache(maxsize=2)
def _cached_model(name: str, device: str, batch_size: int) -> Any:
    from nlp.sentiment.registry import load_sentiment_model

    return load_sentiment_model(name, device=device, batch_size=batch_size)


def load_model(config: Any) -> Any:
    """The configured sentiment model, loaded once per process (a Dask worker keeps it between shards)."""
    nlp = config.nlp
    return _cached_model(nlp.sentiment_model, nlp.device, nlp.batch_size)


@task(name="sentiment-pending", cache_policy=NO_CACHE)
def sentiment_pending_task(db_path: str, config: Any) -> dict[str, Any]:
    """Reviews the configured model has not classified in their current version, split into ``nlp.shard_size``."""
    from nlp.sentiment.enrich import PENDING_SQL
    from warehouse.db import connect

    model = load_model(config)
    con = connect(db_path)
    try:
        total = int(con.execute("select count(*) from reviews").fetchone()[0])  # type: ignore[index]
        pending = con.execute(PENDING_SQL, {"name": model.name, "version": model.version}).df()
    finally:
        con.close()
    size = config.nlp.shard_size
    shards = [pending.iloc[i : i + size].reset_index(drop=True) for i in range(0, len(pending), size)]
    return {"shards": shards, "n_pending": len(pending), "n_already_done": total - len(pending)}


@task(name="sentiment-shard", task_run_name="sentiment-shard-{index}", cache_policy=NO_CACHE)
def sentiment_shard_task(
    config: Any, shard: pd.DataFrame, index: int, stamp: datetime
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Classify one shard's reviews and sentences; touches no database. Returns (reviews, sentences, input flags)."""
    from nlp.sentiment.enrich import EnrichStats, classify_batch

    model = load_model(config)
    stats = EnrichStats(model.name, model.version)
    reviews, sentences = classify_batch(model, shard, True, stats, stamp, {})
    return reviews, sentences, dict(stats.flags)


@task(name="sentiment-store", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def sentiment_store_task(db_path: str, config: Any, reviews: pd.DataFrame, sentences: pd.DataFrame) -> None:
    """Replace the model's rows for the shard's reviews in one transaction (the single writer)."""
    from nlp.sentiment.enrich import write_batch
    from warehouse.db import connect

    con = connect(db_path)
    try:
        write_batch(con, load_model(config), reviews, sentences, True)
    finally:
        con.close()


def sharded_sentiment(db_path: str, config: Any, stamp: datetime) -> dict[str, Any]:
    """Pending → shards submitted to the flow's task runner → each result stored as it arrives, in shard order."""
    pending = sentiment_pending_task(db_path, config)
    model = load_model(config)
    futures = [sentiment_shard_task.submit(config, shard, i, stamp) for i, shard in enumerate(pending["shards"])]
    report: dict[str, Any] = {
        "model_name": model.name, "model_version": model.version, "n_pending": pending["n_pending"],
        "n_reviews": 0, "n_sentences": 0, "n_already_done": pending["n_already_done"], "n_shards": len(futures),
        "flags": {},
    }  # fmt: skip
    for future in futures:
        reviews, sentences, flags = future.result()
        sentiment_store_task(db_path, config, reviews, sentences)
        report["n_reviews"] += len(reviews)
        report["n_sentences"] += len(sentences)
        for key, n in flags.items():
            report["flags"][key] = report["flags"].get(key, 0) + n
    return report


@task(name="enrich-step", task_run_name="enrich-{step}", cache_policy=NO_CACHE)
def enrich_step_task(db_path: str, config: Any, step: str) -> dict[str, Any]:
    """One whole-warehouse enrichment step (duplicates, topics, emerging) on its own connection, in the writer."""
    from warehouse.db import connect

    con = connect(db_path)
    try:
        return as_dict(RUNNERS[step](con, config))
    finally:
        con.close()


@flow(name="enrich", log_prints=True)
def enrich_flow(
    db_path: str, config: Any, steps: tuple[str, ...] = STEPS, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Run the enrichment steps in order; returns each step's counts (or error) and seconds.

    Sentiment first (topic polarity reads the sentence sentiment), in shards on this flow's task runner; a failing
    step is reported as ``status: failed`` and the next steps still run on what is there.
    """
    unknown = [s for s in steps if s not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown enrichment step(s) {unknown}; known: {list(RUNNERS)}")
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
    report: dict[str, dict[str, Any]] = {}
    for step in steps:
        started = time.perf_counter()
        try:
            result = (
                sharded_sentiment(db_path, config, stamp)
                if step == "sentiment"
                else enrich_step_task(db_path, config, step)
            )
        except Exception as exc:  # one broken enricher must not keep the others (or the marts) from running
            report[step] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
        else:
            report[step] = {"status": "success", **result}
        report[step]["seconds"] = round(time.perf_counter() - started, 2)
    return report


def run_enrichment(db_path: str, config: Any, steps: tuple[str, ...] = STEPS) -> dict[str, dict[str, Any]]:
    """The enrichment subflow on the task runner the config asks for."""
    runner = enrich_task_runner(config.nlp)
    return enrich_flow.with_options(task_runner=runner)(db_path, config, steps)  # type: ignore[return-value]
