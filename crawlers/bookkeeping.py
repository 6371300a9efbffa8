"""Warehouse side of a crawl: open a ``crawl_runs`` row, read what is already known about a source (ids and the
watermark), load the crawled items in batches and close the run with its counts, errors and status.

A run that did not finish (a signal, a timeout, a killed process, a Scrapy ``finish_reason`` other than
``finished``) or lost a page is *incomplete*: its status says so (``interrupted``), the watermark does not move, and
the source keeps ``resume_since`` so the next crawl treats only reviews stored before it as known and reads on.

Used by :mod:`crawlers.runner` (in the calling process) and by the sink pipeline when a spider runs standalone
(``scrapy crawl``). Loading happens in one process at a time per call, so crawls can run in parallel subprocesses
while DuckDB keeps a single writer.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_ERRORS_KEPT = 200
LOAD_BATCH = 500


@dataclass
class KnownState:
    """What the warehouse already holds for a source: its external ids and the newest published date."""

    external_ids: set[str] = field(default_factory=set)
    watermark: str | None = None
    resume_since: str | None = None  # set when an earlier run did not finish: ids stored since then are not trusted

    def to_dict(self) -> dict[str, Any]:
        return {
            "external_ids": sorted(self.external_ids),
            "watermark": self.watermark,
            "resume_since": self.resume_since,
        }


@dataclass
class CrawlSummary:
    """The outcome of one source's crawl, as recorded in ``crawl_runs``."""

    source_id: str
    run_id: str
    status: str = "running"  # running | success | partial | interrupted | failed
    n_pages: int = 0
    n_items: int = 0
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_dropped: int = 0
    n_errors: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None
    log_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id(source_id: str) -> str:
    return f"{source_id}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def start_run(
    con: Any,
    source_id: str,
    platform: str,
    *,
    run_id: str | None = None,
    full: bool = False,
    log_path: str | None = None,
    jobdir: str | None = None,
    items_path: str | None = None,
    deadline_at: datetime | None = None,
) -> CrawlSummary:
    """Insert a ``running`` row (owned by this process, see :mod:`crawlers.stale`) so a crawl that dies still leaves
    a trace."""
    run_id = run_id or new_run_id(source_id)
    started = _now()
    con.execute(
        "insert into crawl_runs (run_id, source_id, started_at, status) values (?, ?, ?, 'running')",
        [run_id, source_id, started],
    )
    con.execute(
        "insert or replace into crawl_run_files (run_id, source_id, platform, is_full, log_path, jobdir, pid, host, "
        "deadline_at, items_path) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            source_id,
            platform,
            full,
            log_path,
            jobdir,
            os.getpid(),
            socket.gethostname(),
            deadline_at,
            items_path,
        ],
    )
    return CrawlSummary(source_id=source_id, run_id=run_id, started_at=started.isoformat(), log_path=log_path)


def known_state(con: Any, source_id: str, platform: str) -> KnownState:
    """External ids already stored for this source and its watermark (newest ``published_at``).

    After a run that did not finish, only the ids stored before it started count as known: the unfinished run
    stored the newest pages but not the older ones, so stopping at its reviews would lose the rest.
    """
    row = con.execute(
        "select last_published_at, resume_since from crawl_watermarks where source_id = ?", [source_id]
    ).fetchone()
    watermark = row[0].replace(tzinfo=UTC).isoformat() if row and row[0] else None
    resume_since = row[1] if row and row[1] else None
    ids = {
        r[0]
        for r in con.execute(
            "select external_id from reviews where source_id = ? and platform = ? "
            "and (?::timestamp is null or first_seen_at < ?::timestamp)",
            [source_id, platform, resume_since, resume_since],
        ).fetchall()
    }
    return KnownState(ids, watermark, resume_since.replace(tzinfo=UTC).isoformat() if resume_since else None)


def read_items(path: Path) -> Iterator[dict[str, Any]]:
    """Items the crawl process wrote, one JSON object a line (a torn last line from a killed process is skipped)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def finish_run(
    con: Any,
    summary: CrawlSummary,
    *,
    items: Iterator[dict[str, Any]] | list[dict[str, Any]],
    stats: dict[str, Any],
    brand_id: str | None,
    salt: str | None,
    pseudonymise_authors: bool = True,
    failure: str | None = None,
    interrupted: str | None = None,
) -> CrawlSummary:
    """Load ``items`` in batches, then record counts, errors and status on the run and move the watermark.

    ``interrupted`` says why a crawl stopped before its end (also inferred from a Scrapy ``finish_reason`` other than
    ``finished`` in ``stats``); ``failure`` that it broke. Either makes the run incomplete, as does a lost page
    (``stats['n_pages_lost']``): the watermark stays and the source is marked for resuming.
    """
    from warehouse.loader import load_reviews

    errors: list[dict[str, Any]] = list(stats.get("errors") or [])
    reason = stats.get("finish_reason")
    if interrupted is None and reason not in (None, "finished"):
        interrupted = f"the crawl stopped before its end (Scrapy finish_reason {reason!r}: a signal or a shutdown)"
    if interrupted:
        errors.append({"url": None, "error": "CrawlInterrupted", "message": f"{interrupted}; the next crawl resumes"})
    if failure:
        errors.append({"url": None, "error": "CrawlFailed", "message": failure})
    batch: list[dict[str, Any]] = []
    for item in items:
        summary.n_items += 1
        batch.append(item)
        if len(batch) >= LOAD_BATCH:
            _load(con, batch, summary, errors, brand_id, salt, pseudonymise_authors, load_reviews)
            batch = []
    if batch:
        _load(con, batch, summary, errors, brand_id, salt, pseudonymise_authors, load_reviews)
    summary.n_pages = int(stats.get("n_pages") or 0)
    summary.n_dropped = int(stats.get("n_dropped") or 0)
    summary.n_errors = len(errors)
    summary.errors = errors[:MAX_ERRORS_KEPT]
    if failure or (errors and summary.n_items == 0 and not interrupted):
        summary.status = "failed"
    elif interrupted:
        summary.status = "interrupted"
    elif errors:
        summary.status = "partial"
    else:
        summary.status = "success"
    finished = _now()
    summary.finished_at = finished.isoformat()
    con.execute(
        "update crawl_runs set finished_at = ?, status = ?, n_pages = ?, n_items = ?, n_new = ?, n_updated = ?, "
        "n_errors = ?, errors = ? where run_id = ?",
        [
            finished,
            summary.status,
            summary.n_pages,
            summary.n_items,
            summary.n_new,
            summary.n_updated,
            summary.n_errors,
            json.dumps(summary.errors, ensure_ascii=False, default=str),
            summary.run_id,
        ],
    )
    con.execute(
        "update crawl_run_files set finish_reason = ? where run_id = ?",
        [reason or ("interrupted" if interrupted else "failed" if failure else "finished"), summary.run_id],
    )
    complete = not (failure or interrupted or int(stats.get("n_pages_lost") or 0))
    _move_watermark(con, summary, finished, complete=complete)
    return summary


def abandon_run(con: Any, summary: CrawlSummary, error: BaseException | str) -> CrawlSummary:
    """Close a run that broke before its items could be loaded as ``failed`` (best effort: the warehouse may be the
    thing that broke; :mod:`crawlers.stale` closes it later if this fails too)."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    summary.errors.append({"url": None, "error": "CrawlFailed", "message": message[:1500]})
    summary.n_errors = len(summary.errors)
    summary.status = "failed"
    finished = _now()
    summary.finished_at = finished.isoformat()
    if summary.run_id:
        con.execute(
            "update crawl_runs set finished_at = ?, status = 'failed', n_errors = ?, errors = ? "
            "where run_id = ? and status = 'running'",
            [finished, summary.n_errors, json.dumps(summary.errors, default=str), summary.run_id],
        )
        _move_watermark(con, summary, finished, complete=False)
    return summary


def _load(
    con: Any,
    batch: list[dict[str, Any]],
    summary: CrawlSummary,
    errors: list[dict[str, Any]],
    brand_id: str | None,
    salt: str | None,
    pseudonymise_authors: bool,
    load_reviews: Any,
) -> None:
    result = load_reviews(
        con,
        batch,
        source_id=summary.source_id,
        brand_id=brand_id,
        salt=salt,
        pseudonymise_authors=pseudonymise_authors,
    )
    summary.n_new += result.n_new
    summary.n_updated += result.n_updated
    summary.n_unchanged += result.n_unchanged
    for reject in result.rejects:
        info = reject.to_dict() if hasattr(reject, "to_dict") else {"message": str(reject)}
        info.pop("row", None)
        errors.append({"url": None, "error": "LoaderReject", "message": json.dumps(info, default=str)[:500]})


def _move_watermark(con: Any, summary: CrawlSummary, finished: datetime, *, complete: bool) -> None:
    """A complete run moves the watermark to the newest review *stored* for the source and ends any resume; an
    incomplete one leaves the watermark and marks the source for resuming from this run's start."""
    started = datetime.fromisoformat(summary.started_at) if summary.started_at else finished
    n_known = con.execute("select count(*) from reviews where source_id = ?", [summary.source_id]).fetchone()[0]
    if not complete:
        con.execute(
            "insert into crawl_watermarks (source_id, n_known, updated_at, resume_since) values (?, ?, ?, ?) "
            "on conflict (source_id) do update set n_known = excluded.n_known, updated_at = excluded.updated_at, "
            "resume_since = least(coalesce(crawl_watermarks.resume_since, excluded.resume_since), "
            "excluded.resume_since)",
            [summary.source_id, n_known, finished, started],
        )
        return
    newest = con.execute("select max(published_at) from reviews where source_id = ?", [summary.source_id]).fetchone()[0]
    con.execute(
        "insert into crawl_watermarks "
        "(source_id, last_published_at, last_run_id, last_success_at, n_known, updated_at) "
        "values (?, ?, ?, ?, ?, ?) on conflict (source_id) do update set "
        "last_published_at = greatest(coalesce(crawl_watermarks.last_published_at, excluded.last_published_at), "
        "coalesce(excluded.last_published_at, crawl_watermarks.last_published_at)), "
        "last_run_id = excluded.last_run_id, last_success_at = excluded.last_success_at, "
        "n_known = excluded.n_known, updated_at = excluded.updated_at, "
        "resume_since = case when crawl_watermarks.resume_since <= ? then null else crawl_watermarks.resume_since end",
        [summary.source_id, newest, summary.run_id, finished, n_known, finished, started],
    )
