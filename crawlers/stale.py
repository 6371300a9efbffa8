"""Close crawl runs left ``running`` by a process that is gone, and pick up the items they had written.

A run's row names the runner process that owns it (``crawl_run_files.pid``/``host``) and the latest moment it can
still be running (``deadline_at``). Before a source is crawled again, each of its ``running`` runs whose owner is
dead (same host), or which is past its deadline, or which belongs to this very process but is not in progress here
(its load failed, e.g. on a held write lock), is closed as ``interrupted``: the items its crawl process wrote are
loaded (the loader upserts, so nothing is stored twice) and the source is marked for resuming.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers.bookkeeping import CrawlSummary, finish_run, read_items


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def why_stale(pid: int | None, host: str | None, deadline_at: datetime | None, run_id: str, active: set[str]) -> str:
    """Why this running run is stale, or ``""`` when it may still be in progress."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if pid is not None and host == socket.gethostname():
        if pid == os.getpid():
            if run_id not in active:
                return "its crawl in this process ended without closing it (the load failed?)"
        elif not process_alive(pid):
            return f"its runner process {pid} is gone (killed?)"
    if deadline_at is not None and now > deadline_at:
        return f"it was still running after its deadline {deadline_at:%Y-%m-%d %H:%M:%S} UTC"
    return ""


def close_stale_runs(
    con: Any,
    source_id: str,
    *,
    active: set[str],
    brand_id: str | None,
    salt: str | None,
    pseudonymise_authors: bool = True,
) -> list[CrawlSummary]:
    """Close the source's stale ``running`` runs as ``interrupted``, loading the items each had written."""
    rows = con.execute(
        "select r.run_id, r.started_at, f.pid, f.host, f.deadline_at, f.items_path, f.log_path "
        "from crawl_runs as r left join crawl_run_files as f on f.run_id = r.run_id "
        "where r.source_id = ? and r.status = 'running' order by r.started_at",
        [source_id],
    ).fetchall()
    closed: list[CrawlSummary] = []
    for run_id, started_at, pid, host, deadline_at, items_path, log_path in rows:
        reason = why_stale(pid, host, deadline_at, run_id, active)
        if not reason:
            continue
        summary = CrawlSummary(source_id=source_id, run_id=run_id, started_at=started_at.isoformat(), log_path=log_path)
        items = Path(items_path) if items_path else None
        stats_file = items.with_name("stats.json") if items else None
        stats: dict[str, Any] = {}
        if stats_file is not None and stats_file.exists():
            try:
                stats = json.loads(stats_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stats = {}
        found = f"; its items were picked up from {items}" if items and items.exists() else "; no items file was found"
        closed.append(
            finish_run(
                con,
                summary,
                items=read_items(items) if items else [],
                stats=stats,
                brand_id=brand_id,
                salt=salt,
                pseudonymise_authors=pseudonymise_authors,
                interrupted=f"closed by a later crawl: {reason}{found}",
            )
        )
    return closed
