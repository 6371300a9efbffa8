"""The nightly flow: crawl every enabled source in parallel, enrich what is new, rebuild the marts, check quality.

Top to bottom: sync the config's brands and sources → one ``crawl-source`` task per source (each loads its own
reviews; at most ``crawl.parallel_sources`` at once; retried with exponential backoff; a source that still fails is
marked failed and the others go on) → enrichment of new or changed reviews → marts → data-quality checks → a
``flow_runs`` row and a printed summary. A ``partial`` run (a source that still failed, a failed enrichment step or
data-quality check) ends in Prefect's ``Failed`` state with the summary's one-line verdict as its message, so Prefect
automations and alerts fire; its result is still the summary (``run_flow`` returns it). A rerun of the same night
finds nothing new: crawls stop at known reviews, loads are idempotent upserts, enrichers skip content they have seen,
and the marts rebuild to identical tables.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, task
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks.crawl import crawl_source_task
from flows.tasks.marts import build_marts_task
from flows.tasks.quality import quality_checks_task
from flows.tasks.record import begin_flow_run, end_flow_run
from flows.tasks.report import print_summary
from flows.tasks.shards import run_enrichment


@task(name="sync-config")
def sync_config_task(db_path: str, config: Any) -> None:
    """Mirror brands and sources into the warehouse (unchanged rows are left alone)."""
    from warehouse.db import connect
    from warehouse.sync import sync_config

    con = connect(db_path)
    try:
        sync_config(con, config)
    finally:
        con.close()


def selected_sources(config: Any, only: list[str] | None) -> list[str]:
    """Enabled sources, or exactly the ids asked for (an unknown id is an error naming it)."""
    known = {s.id: s for s in config.sources}
    if only:
        unknown = [s for s in only if s not in known]
        if unknown:
            raise ValueError(f"unknown source id(s): {', '.join(unknown)}; configured: {', '.join(sorted(known))}")
        return list(only)
    return [s.id for s in config.sources if s.enabled]


def crawl_all(
    config: Any, source_ids: list[str], *, full: bool, db_path: str, retries: int, retry_delay: float
) -> dict[str, dict[str, Any]]:
    """One ``crawl-source`` task run per source through :func:`crawlers.runner.crawl_all` (the one way sources are
    crawled in parallel, ``crawl.parallel_sources`` at a time); a source that still fails after its retries becomes a
    ``status: failed`` entry."""
    from crawlers.runner import crawl_all as crawl_sources

    crawl = crawl_source_task.with_options(
        retries=retries, retry_delay_seconds=[retry_delay * 2**i for i in range(max(retries, 1))]
    )

    def one(sid: str) -> dict[str, Any]:
        try:
            return dict(crawl(config, sid, full=full, db_path=db_path))
        except Exception as exc:  # failed after its retries: record it and go on
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}

    results = crawl_sources(config, source_ids, crawl=one)
    return dict(zip(source_ids, results, strict=True))


def _totals(sources: dict[str, dict[str, Any]], enriched: dict[str, Any], checks: list[dict[str, Any]]) -> dict:
    n_enriched = int((enriched.get("sentiment") or {}).get("n_reviews", 0) or 0)
    return {
        "n_sources": len(sources),
        "n_sources_failed": sum(1 for s in sources.values() if s.get("status") == "failed"),
        "n_items": sum(int(s.get("n_items", 0) or 0) for s in sources.values()),
        "n_new": sum(int(s.get("n_new", 0) or 0) for s in sources.values()),
        "n_updated": sum(int(s.get("n_updated", 0) or 0) for s in sources.values()),
        "n_enriched": n_enriched,
        "n_checks_failed": sum(1 for c in checks if c.get("status") == "fail"),
    }


def run_pipeline(
    flow_name: str,
    config_path: str,
    parameters: dict[str, Any],
    *,
    full: bool = False,
    sources: list[str] | None = None,
    crawl: bool = True,
    enrich: bool = True,
    crawl_retries: int = 2,
    retry_delay: float = 10.0,
    quiet: bool = False,
) -> dict[str, Any]:
    """The body shared by the nightly and backfill flows; returns the summary also stored in ``flow_runs``."""
    t0 = time.perf_counter()
    config, db_path, flow_run_id, started_at = begin_flow_run(config_path, flow_name, parameters)
    summary: dict[str, Any] = {"flow": flow_name, "flow_run_id": flow_run_id, "db_path": db_path, "steps": {}}
    status, error = "success", None
    try:
        sync_config_task(db_path, config)
        source_ids = selected_sources(config, sources)
        step = time.perf_counter()
        outcomes = (
            crawl_all(config, source_ids, full=full, db_path=db_path, retries=crawl_retries, retry_delay=retry_delay)
            if crawl
            else {}
        )
        summary["sources"] = outcomes
        n_failed = sum(1 for o in outcomes.values() if o.get("status") == "failed")
        summary["steps"]["crawl+load"] = {
            "status": "failed" if outcomes and n_failed == len(outcomes) else "partial" if n_failed else "success",
            "sources": len(outcomes), "failed": n_failed, "seconds": round(time.perf_counter() - step, 2),
        }  # fmt: skip
        if n_failed:
            status = "partial"
        enriched: dict[str, Any] = {}
        if enrich:
            step = time.perf_counter()
            try:
                enriched = run_enrichment(db_path, config)
                failed = [name for name, info in enriched.items() if info.get("status") == "failed"]
                summary["steps"]["enrich"] = {
                    "status": "partial" if failed else "success",
                    "seconds": round(time.perf_counter() - step, 2),
                }
                for name, info in enriched.items():
                    summary["steps"][f"enrich:{name}"] = info
                if failed:
                    status = "partial"
            except Exception as exc:  # marts still rebuild over what is enriched so far
                status = "partial"
                summary["steps"]["enrich"] = {"status": "failed", "error": str(exc)[:300]}
        built = build_marts_task(db_path, config.nlp.sentiment_model, config.project.timezone)
        summary["steps"]["marts"] = {"status": "success", **{k: v for k, v in built.items() if k == "seconds"}}
        summary["marts"] = built["rows"]
        checks = quality_checks_task(db_path, flow_run_id, source_ids if crawl else [], since=started_at)
        summary["checks"] = checks
        if any(c["status"] == "fail" for c in checks) and status == "success":
            status = "partial"
        summary["totals"] = _totals(outcomes, enriched, checks)
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        summary.setdefault("totals", {})
        raise
    finally:
        summary["status"] = status
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        end_flow_run(db_path, flow_run_id, status, summary, error)
        if not quiet:
            print_summary(summary)
    return summary


def verdict(summary: dict[str, Any]) -> str:
    """One line saying what was not fine: failed sources, failed steps, failed checks (or "success")."""
    if summary.get("status") == "success":
        return "success"
    failed_sources = sorted(s for s, o in summary.get("sources", {}).items() if o.get("status") == "failed")
    failed_steps = [n for n, s in summary.get("steps", {}).items() if s.get("status") == "failed" and n != "crawl+load"]
    failed_checks = [f"{c['check_name']}:{c['subject']}" for c in summary.get("checks", []) if c["status"] == "fail"]
    parts = []
    if failed_sources:
        n_sources = len(summary.get("sources", {}))
        parts.append(f"{len(failed_sources)} of {n_sources} sources failed ({', '.join(failed_sources)})")
    if failed_steps:
        parts.append(f"steps failed: {', '.join(failed_steps)}")
    if failed_checks:
        parts.append(f"checks failed: {', '.join(failed_checks[:5])}{' …' if len(failed_checks) > 5 else ''}")
    return f"{summary.get('flow', 'flow')} {summary.get('status')}: {'; '.join(parts) or 'see the summary'}"


def final_state(summary: dict[str, Any]) -> State[dict[str, Any]]:
    """``Completed`` for a successful run, else ``Failed`` (message: :func:`verdict`); the summary is the result."""
    if summary.get("status") == "success":
        return Completed(message=verdict(summary), data=summary)
    return Failed(message=verdict(summary), data=summary)


def run_flow(flow_fn: Any, **parameters: Any) -> dict[str, Any]:
    """Call a flow that ends in :func:`final_state` and return its summary whatever the state; a crash re-raises."""
    state = flow_fn(return_state=True, **parameters)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return dict(result)


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=16), log_prints=True)  # type: ignore[arg-type]
def nightly(
    config_path: str = "configs/demo.yaml",
    full: bool = False,
    sources: list[str] | None = None,
    crawl: bool = True,
    enrich: bool = True,
    crawl_retries: int = 2,
    retry_delay: float = 10.0,
    quiet: bool = False,
) -> State[dict[str, Any]]:
    """Crawl, load, enrich, rebuild marts and check quality for the deployment in ``config_path``.

    Ends ``Completed`` when everything succeeded, else ``Failed`` with the verdict as message; the summary is the
    result either way (``run_flow(nightly, ...)`` returns it).
    """
    parameters = {"config_path": config_path, "full": full, "sources": sources, "crawl": crawl, "enrich": enrich}
    summary = run_pipeline(
        "nightly", config_path, parameters, full=full, sources=sources, crawl=crawl, enrich=enrich,
        crawl_retries=crawl_retries, retry_delay=retry_delay, quiet=quiet,
    )  # fmt: skip
    return final_state(summary)
