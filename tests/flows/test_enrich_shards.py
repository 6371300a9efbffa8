"""Sentiment in review shards on a 2-worker Dask LocalCluster stores exactly the rows of the local threaded run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawlers.bookkeeping import finish_run, start_run
from flows.tasks.shards import enrich_flow, enrich_task_runner
from molva.config import load_config
from warehouse import db as warehouse_db
from warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 2, 12, 0)
TEXTS = [
    "Курьер опоздал на час, продукты тёплые. Больше не закажу.",
    "Great app, fast delivery and fresh vegetables!",
    "Нормально. Ничего особенного, но и плохого нет.",
    "The courier was late again and the milk was sour.",
    "Спасибо! Всё привезли вовремя, упаковка отличная.",
    "Prices went up. Support did not answer my e-mail for a week.",
]


def _config(tmp_path: Path, runner: str) -> Any:
    path = tmp_path / f"{runner}.yaml"
    path.write_text(
        f"""
project: {{name: shards}}
brands: [{{id: acme, names: {{en: Acme}}, is_own: true}}]
warehouse: {{path: '{tmp_path / runner}.duckdb'}}
nlp: {{runner: {runner}, workers: 2, shard_size: 7}}
""",
        encoding="utf-8",
    )
    return load_config(path)


def _item(i: int) -> dict[str, Any]:
    return {
        "platform": "trustpilot", "external_id": f"r{i}", "text": f"{TEXTS[i % len(TEXTS)]} #{i // len(TEXTS)}",
        "rating": float(1 + i % 5), "rating_scale": 5.0, "author": f"a{i}",
        "published_at": (NOW - timedelta(hours=7 * i)).isoformat() + "+00:00", "language": None, "kind": "review",
    }  # fmt: skip


def _load(db: str) -> None:
    items = [
        {
            "platform": "trustpilot",
            "external_id": f"r{i}",
            "text": f"{TEXTS[i % len(TEXTS)]} #{i // len(TEXTS)}",
            "rating": float(1 + i % 5),
            "rating_scale": 5.0,
            "author": f"a{i}",
            "published_at": (NOW - timedelta(hours=7 * i)).isoformat() + "+00:00",
            "language": None,
            "kind": "review",
        }
        for i in range(30)
    ]
    con = connect(db)
    try:
        summary = start_run(con, "acme-tp", "trustpilot", full=False)
        finish_run(con, summary, items=items, stats={}, brand_id="acme", salt="s")
    finally:
        con.close()


def _rows(db: str) -> dict[str, list[tuple[Any, ...]]]:
    con = warehouse_db.connect(db, read_only=True)
    try:
        return {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in ("review_sentiment", "sentence_sentiment")
        }
    finally:
        con.close()


@pytest.mark.slow
def test_two_dask_workers_store_what_the_local_run_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the cluster's worker processes import this checkout's flows/
    results = {}
    for runner in ("threads", "dask"):
        config = _config(tmp_path, runner)
        db = config.warehouse.path
        _load(db)
        flow = enrich_flow.with_options(task_runner=enrich_task_runner(config.nlp))
        report = flow(db, config, steps=("sentiment",), now=NOW)
        assert report["sentiment"]["status"] == "success", report
        assert report["sentiment"]["n_reviews"] == 30 and report["sentiment"]["n_shards"] == 5
        results[runner] = _rows(db)
        again = flow(db, config, steps=("sentiment",), now=NOW)  # nothing pending: no shard, no write
        assert again["sentiment"]["n_reviews"] == 0 and again["sentiment"]["n_shards"] == 0
        assert _rows(db) == results[runner]
    assert len(results["threads"]["review_sentiment"]) == 30
    assert len(results["threads"]["sentence_sentiment"]) > 30
    assert results["dask"] == results["threads"]


def test_runner_from_the_config(tmp_path: Path) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    threads = enrich_task_runner(_config(tmp_path, "threads").nlp)
    assert isinstance(threads, ThreadPoolTaskRunner) and threads._max_workers == 2
    local = enrich_task_runner(_config(tmp_path, "dask").nlp)
    assert isinstance(local, DaskTaskRunner) and local.cluster_kwargs["n_workers"] == 2
    nlp = _config(tmp_path, "dask").nlp.model_copy(update={"dask_address": "tcp://10.0.0.5:8786"})
    remote = enrich_task_runner(nlp)
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://10.0.0.5:8786"
