"""``molva crawl``: run the configured sources' crawlers and load what they find into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from molva.cli.common import EXIT_PROBLEMS, ConfigOption, DbOption, console, fail, load_config_or_exit


def crawl(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Source id to crawl (repeatable). Default: every enabled source."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-crawl everything instead of stopping at already known reviews.")
    ] = False,
    jobdir: Annotated[
        Path | None,
        typer.Option(help="Make the crawl resumable (Scrapy JOBDIR); one directory per source is created inside."),
    ] = None,
    parallel: Annotated[
        int | None, typer.Option(help="Sources crawled at once. Default: crawl.parallel_sources.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Crawl review sources politely (robots.txt, AutoThrottle, ≤2 requests per site) and load the reviews.

    Nightly runs are incremental: each source stops paginating once it reaches reviews the warehouse already has
    (reading a few past them to catch edits). Every run is recorded in the crawl_runs table with its counts and
    errors. A crawl that stopped before its end (a signal, a timeout, a killed process) is recorded as `interrupted`
    and the next run resumes it. Exit code 1 when any source failed or was interrupted; the others are crawled and
    loaded all the same.
    """
    cfg = load_config_or_exit(config)
    known = {s.id for s in cfg.sources}
    wanted = list(source or [s.id for s in cfg.sources if s.enabled])
    unknown = [s for s in wanted if s not in known]
    if unknown:
        fail(f"unknown source(s) {', '.join(unknown)}; the config has: {', '.join(sorted(known)) or 'none'}")
    if not wanted:
        console.print("no enabled sources in the config: nothing to crawl")
        return
    from crawlers.runner import crawl_all
    from molva.privacy import SaltError

    try:
        cfg.privacy.salt(where="crawl")  # refuses in production on the development salt, before anything is fetched
    except SaltError as exc:
        fail(str(exc))

    workers = max(1, min(parallel or cfg.crawl.parallel_sources, len(wanted)))
    failed = 0

    def report(sid: str, summary: Any) -> None:
        nonlocal failed
        if isinstance(summary, dict):  # the crawl raised (a broken warehouse or child): a failure with its message
            console.print(f"[red]failed  [/red] {sid}: {summary.get('error')}", highlight=False)
            failed += 1
            return
        colour = {"success": "green", "partial": "yellow"}.get(summary.status, "red")
        console.print(
            f"[{colour}]{summary.status:<8}[/{colour}] {summary.source_id}: {summary.n_pages} pages, "
            f"{summary.n_items} items, {summary.n_new} new, {summary.n_updated} updated, "
            f"{summary.n_errors} errors  (run {summary.run_id})",
            highlight=False,
        )
        for error in summary.errors[:3]:
            console.print(f"    {error.get('error')}: {error.get('message')} {error.get('url') or ''}")
        if summary.status == "interrupted":
            console.print(
                f"    interrupted: the crawl of {summary.source_id} stopped before its end; what it fetched is "
                "stored, and the next `molva crawl` resumes it (no --full needed)",
                highlight=False,
            )
        failed += summary.status in ("failed", "interrupted")

    with console.status(f"crawling {len(wanted)} source(s), {workers} at a time…"):
        crawl_all(cfg, wanted, full=full, db_path=db, parallel=workers, jobdir=jobdir, on_done=report)
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl)
