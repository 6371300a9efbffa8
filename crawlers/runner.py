"""Run configured sources: one crawl subprocess per source, then load its items into the warehouse here.

:func:`crawl_source` is what the flows call; it never raises for a broken source (the run is recorded as
``failed`` with its errors) and can be called repeatedly and from parallel threads, since each crawl runs in its own
process and only the load touches DuckDB.
"""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawlers.bookkeeping import (
    CrawlSummary,
    KnownState,
    abandon_run,
    finish_run,
    known_state,
    new_run_id,
    read_items,
    start_run,
)
from crawlers.stale import close_stale_runs

REPO_ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 30.0  # how long a timed-out crawl gets to close cleanly
LOCK_WAIT_SECONDS = 60.0  # how long the load waits for another process's write lock on the warehouse
_DB_LOCK = threading.Lock()  # one writer at a time inside this process
_ACTIVE_RUNS: set[str] = set()  # runs in progress in this process (a running row of ours not here is stale)


def scrapy_settings(config: Any, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Settings for one crawl from the config's ``crawl:`` section (plus test or CLI overrides)."""
    crawl = config.crawl
    settings: dict[str, Any] = {
        "USER_AGENT": crawl.user_agent,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.1),
    }
    settings.update(overrides or {})
    return settings


def crawl_source(
    config: Any,
    source_id: str,
    *,
    full: bool = False,
    db_path: str | Path | None = None,
    settings: dict[str, Any] | None = None,
    jobdir: str | Path | None = None,
    timeout: float | None = 3600.0,
    work_dir: str | Path | None = None,
) -> CrawlSummary:
    """Crawl one source and load it into the warehouse; always returns a summary (status ``failed`` on errors,
    ``interrupted`` when the crawl stopped before its end).

    ``config`` is a ``MolvaConfig`` or a path to one. ``jobdir`` makes a long crawl resumable (Scrapy ``JOBDIR``):
    calling again with the same directory continues where a stopped crawl left off. Without one, the next crawl
    after an interrupted run re-reads from the first page and does not stop at the reviews the interrupted run
    stored (see :func:`crawlers.bookkeeping.known_state`). The run's items and log go to ``work_dir`` (default:
    ``crawl-runs/<run id>`` beside the warehouse file), where a later crawl finds them if this process dies.
    """
    summary = CrawlSummary(source_id=source_id, run_id="", status="failed")
    run_dir: Path | None = None
    try:
        if not hasattr(config, "sources"):
            from molva.config import load_config

            config = load_config(config)
        source = config.source(source_id)
        db = str(db_path or config.warehouse.path)
        run_id = new_run_id(source_id)
        run_dir = Path(work_dir) if work_dir else default_run_dir(db, run_id)
        run_dir.mkdir(parents=True, exist_ok=True)
        log_path = run_dir / "crawl.log"
        items_path = run_dir / "items.jsonl"
        deadline = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=(timeout or 0) + GRACE_SECONDS + 3600)
        with _DB_LOCK:
            con = _open(db)
            try:
                close_stale_runs(
                    con,
                    source_id,
                    active=_ACTIVE_RUNS,
                    brand_id=source.brand,
                    salt=config.privacy.salt(),
                    pseudonymise_authors=config.privacy.pseudonymise_authors,
                )
                # read before the run is opened: a warehouse too broken to read leaves no run behind
                known = KnownState() if full else known_state(con, source_id, source.platform)
                summary = start_run(
                    con,
                    source_id,
                    source.platform,
                    run_id=run_id,
                    full=full,
                    log_path=str(log_path),
                    jobdir=str(jobdir) if jobdir else None,
                    items_path=str(items_path),
                    deadline_at=deadline if timeout else None,
                )
                _ACTIVE_RUNS.add(run_id)
            except Exception as exc:
                if summary.run_id:
                    _abandon(con, summary, exc)
                raise
            finally:
                con.close()
    except Exception as exc:  # config or warehouse problem: the summary (and the run, if one was opened) says so
        if not summary.run_id:
            summary.errors.append({"url": None, "error": type(exc).__name__, "message": str(exc)})
            summary.n_errors = len(summary.errors)
            if work_dir is None and run_dir is not None:
                shutil.rmtree(run_dir, ignore_errors=True)  # nothing was crawled into it
        _ACTIVE_RUNS.discard(summary.run_id)
        return summary
    try:
        summary = _crawl_and_load(config, source, summary, known, db, run_dir, full, settings, jobdir, timeout)
        if summary.status == "success" and work_dir is None:
            _forget_run_dir(db, summary, run_dir)
        return summary
    finally:
        _ACTIVE_RUNS.discard(summary.run_id)


def default_run_dir(db: str, run_id: str) -> Path:
    """``crawl-runs/<run id>`` beside the warehouse file (a temporary folder for an in-memory warehouse)."""
    if db == ":memory:":
        return Path(tempfile.mkdtemp(prefix=f"molva-{run_id}-"))
    return Path(db).resolve().parent / "crawl-runs" / run_id


def _crawl_and_load(
    config: Any,
    source: Any,
    summary: CrawlSummary,
    known: KnownState,
    db: str,
    run_dir: Path,
    full: bool,
    settings: dict[str, Any] | None,
    jobdir: str | Path | None,
    timeout: float | None,
) -> CrawlSummary:
    failure: str | None = None
    interrupted: str | None = None
    stats: dict[str, Any] = {}
    log_path = run_dir / "crawl.log"
    items_path = run_dir / "items.jsonl"
    stats_path = run_dir / "stats.json"
    try:
        overrides = dict(settings or {})
        overrides["LOG_FILE"] = str(log_path)
        if jobdir:
            overrides["JOBDIR"] = str(jobdir)
        spec = {
            "source": source.model_dump(),
            "crawl": config.crawl.model_dump(),
            "full": full,
            "known": known.to_dict(),
            "items_path": str(items_path),
            "stats_path": str(stats_path),
            "pseudonymise_authors": config.privacy.pseudonymise_authors,
            "allow_dev_salt": config.privacy.allow_dev_salt,
            "settings": scrapy_settings(config, overrides),
        }
        spec_path = run_dir / "spec.json"
        spec_path.write_text(json.dumps(spec, default=str), encoding="utf-8")
        env = dict(os.environ)
        env["MOLVA_CRAWL_SALT"] = config.privacy.salt(where="crawl")
        env["MOLVA_CRAWL_PARENT"] = str(os.getpid())
        env["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
        env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        returncode, stderr = _run_crawl_process(spec_path, env, timeout)
        if stats_path.exists():
            stats = json.loads(stats_path.read_text(encoding="utf-8"))
        failure, interrupted = _outcome(returncode, stderr, stats_path.exists(), timeout, log_path)
    except Exception:
        failure = traceback.format_exc(limit=3)

    try:
        with _DB_LOCK:
            con = _open(db, wait=LOCK_WAIT_SECONDS)
            try:
                summary = finish_run(
                    con,
                    summary,
                    items=read_items(items_path),
                    stats=stats,
                    brand_id=source.brand,
                    salt=config.privacy.salt(),
                    pseudonymise_authors=config.privacy.pseudonymise_authors,
                    failure=failure,
                    interrupted=interrupted,
                )
            finally:
                con.close()
    except Exception as exc:  # the items stay in run_dir; the next crawl of this source closes the run and loads them
        summary.status = "failed"
        summary.errors.append(
            {
                "url": None,
                "error": type(exc).__name__,
                "message": f"{exc}; the crawled items are kept in {items_path} and the next crawl of this source "
                "loads them",
            }
        )
        summary.n_errors = len(summary.errors)
    if jobdir and (summary.status != "interrupted" or not stats_path.exists()):
        # finished (the next run starts afresh), or the crawl process died without saving its JOBDIR state (a
        # resume from it would skip pages it never saved): the next run re-reads instead
        shutil.rmtree(jobdir, ignore_errors=True)
    return summary


def _outcome(
    returncode: int | None, stderr: str, has_stats: bool, timeout: float | None, log_path: Path
) -> tuple[str | None, str | None]:
    """(failure, interrupted) messages for how the crawl process ended."""
    if returncode is None:
        return None, f"the crawl did not finish within {timeout}s and was stopped"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return None, f"the crawl process was killed ({name}) before it finished"
    if returncode != 0 or not has_stats:
        tail = stderr[-1500:] or _tail(log_path)
        return f"crawl process exited with {returncode}: {tail}", None
    return None, None  # a clean exit: stats['finish_reason'] says whether the spider reached its end


def _open(db: str, wait: float = 0.0) -> Any:
    """Open the warehouse for writing; while another process holds its write lock, retry for up to ``wait`` s."""
    from warehouse.db import WarehouseOpenError, open_writable

    deadline = time.monotonic() + wait
    while True:
        try:
            return open_writable(db)
        except WarehouseOpenError as exc:
            if "locked by another process" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def _abandon(con: Any, summary: CrawlSummary, exc: BaseException) -> None:
    try:
        abandon_run(con, summary, exc)
    except Exception:  # the warehouse itself is broken: a later crawl closes the run (crawlers.stale)
        summary.status = "failed"


def _forget_run_dir(db: str, summary: CrawlSummary, run_dir: Path) -> None:
    """A clean run's items are in the warehouse now: drop its temporary folder (failed runs keep theirs, log included,
    for inspection; ``crawl_run_files.log_path`` says where)."""
    shutil.rmtree(run_dir, ignore_errors=True)
    summary.log_path = None
    try:
        with _DB_LOCK:
            con = _open(db)
            try:
                con.execute(
                    "update crawl_run_files set log_path = null, items_path = null where run_id = ?", [summary.run_id]
                )
            finally:
                con.close()
    except Exception:  # bookkeeping only: never turn a successful crawl into a failure
        pass


def _run_crawl_process(spec_path: Path, env: dict[str, str], timeout: float | None) -> tuple[int | None, str]:
    """Run the crawl subprocess; on timeout stop it gracefully (SIGINT, as Ctrl-C: Scrapy saves JOBDIR state),
    then kill it if it does not exit. Returns (exit code or ``None`` on timeout, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawlers.process", str(spec_path)],
        cwd=os.getcwd(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = proc.communicate(timeout=timeout)
        return proc.returncode, stderr or ""
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
        return None, stderr or ""


def crawl_all(
    config: Any,
    source_ids: list[str] | None = None,
    *,
    full: bool = False,
    db_path: str | Path | None = None,
    settings: dict[str, Any] | None = None,
    parallel: int | None = None,
    jobdir: str | Path | None = None,
    crawl: Callable[[str], Any] | None = None,
    on_done: Callable[[str, Any], None] | None = None,
) -> list[Any]:
    """The one way Molva crawls several sources: ``parallel`` (default ``crawl.parallel_sources``) at a time.

    Each source runs ``crawl(source_id)``, by default :func:`crawl_source` with the options given here (``jobdir``
    gets one folder per source); the nightly flow passes its Prefect task instead, for retries and run states.
    Worker threads run in a copy of the caller's context, so a Prefect flow run's context reaches them. One broken
    source never stops the others: an exception becomes a ``failed`` result naming it. ``on_done(source_id, result)``
    is called as each source finishes. Returns the results in the order of ``source_ids`` (default: every enabled
    source).
    """
    ids = list(source_ids or [s.id for s in config.sources if s.enabled])
    run_one = crawl or (
        lambda sid: crawl_source(
            config, sid, full=full, db_path=db_path, settings=settings, jobdir=Path(jobdir) / sid if jobdir else None
        )
    )
    done_lock = threading.Lock()

    def guarded(sid: str) -> Any:
        try:
            result = run_one(sid)
        except Exception as exc:  # a crawl callable that raises still leaves the other sources running
            result = {"source_id": sid, "status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
        if on_done is not None:
            with done_lock:
                on_done(sid, result)
        return result

    workers = max(1, min(parallel or config.crawl.parallel_sources, len(ids) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(contextvars.copy_context().run, guarded, sid) for sid in ids]
        return [future.result() for future in futures]


def _tail(path: Path, n: int = 1500) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return ""
