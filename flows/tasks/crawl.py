"""Crawl one configured source (and load what it found) through :func:`crawlers.runner.crawl_source`."""

from __future__ import annotations

import time
from typing import Any

from prefect import task
from prefect.tasks import exponential_backoff


class CrawlFailed(RuntimeError):
    """The crawl finished with status ``failed``; raised so Prefect retries it."""


def crawler() -> Any:
    """The crawl entry point, :func:`crawlers.runner.crawl_source` (imported lazily: Scrapy is heavy)."""
    from crawlers.runner import crawl_source

    return crawl_source


@task(
    name="crawl-source",
    tags=["crawl"],
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
    retry_jitter_factor=0.5,
    task_run_name="crawl-{source_id}",
)
def crawl_source_task(config: Any, source_id: str, *, full: bool = False, db_path: str | None = None) -> dict[str, Any]:
    """Crawl ``source_id`` and load its reviews; returns the run summary as a dict. Raises when the crawl failed."""
    crawl_source = crawler()
    started = time.perf_counter()
    summary = crawl_source(config, source_id, full=full, db_path=db_path)
    result: dict[str, Any] = summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)
    result["seconds"] = round(time.perf_counter() - started, 2)
    if result.get("status") in ("failed", "interrupted"):  # a retry of an interrupted crawl resumes it
        first = (result.get("errors") or [{}])[0]
        raise CrawlFailed(f"{source_id}: crawl failed ({first.get('error')}: {first.get('message')})")
    return result
