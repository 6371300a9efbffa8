"""Fault suite for crawls: interrupted crawls are recorded as such and resumed, the watermark moves only over what was
stored, every lost page is an error with its URL, stale ``running`` runs are closed, a corrupted warehouse is a
message. Each test serves saved-style pages from a loopback server (127.0.0.1) and runs real Scrapy subprocesses;
waits are bounded polling loops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawlers"))  # the crawler tests' loopback server

from crawl_mockserver import Canned, MockServer
from crawl_pages import jsonld_page, review
from crawl_support import FAST_SETTINGS, make_config

from crawlers.runner import crawl_source
from warehouse.db import connect

HTML = {"Content-Type": "text/html; charset=utf-8"}
N_PAGES, PER_PAGE = 12, 10
SERVED = {f"https://reviews.test/r/{n}" for n in range(1, N_PAGES * PER_PAGE + 1)}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as mock:
        yield mock


@pytest.fixture(autouse=True)
def _scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))


def serve_listing(server: MockServer, delay: float = 0.0, n_pages: int = N_PAGES, prefix: str = "/list") -> None:
    """``n_pages`` pages of ``PER_PAGE`` reviews, newest first, each linking to the next."""
    for page in range(1, n_pages + 1):
        numbers = range((page - 1) * PER_PAGE + 1, page * PER_PAGE + 1)
        nxt = f"{prefix}/p{page + 1}" if page < n_pages else None
        body = jsonld_page([review(n) for n in numbers], nxt).encode()
        server.add(f"{prefix}/p{page}", Canned(body, headers=HTML, delay=delay))


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = connect(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def stored_ids(db: Path) -> list[str]:
    return [r[0] for r in rows(db, "select external_id from reviews order by external_id")]


def run_status(db: Path, run_id: str) -> tuple[str, list[dict[str, Any]]]:
    status, errors = rows(db, "select status, errors from crawl_runs where run_id = ?", [run_id])[0]
    return status, json.loads(errors or "[]")


def wait_for(check: Callable[[], Any], what: str, limit: float = 30.0) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {limit}s waiting for {what}")


def crawl_processes(marker: str) -> list[int]:
    """Ids of the crawl subprocesses whose command line names ``marker`` (a path inside this test's tmp_path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if b"crawlers.process" in cmd and any(marker.encode() in part for part in cmd) and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    ("sig", "use_jobdir"),
    [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGTERM, True)],
    ids=["sigterm", "sigkill", "sigterm-jobdir"],
)
def test_a_crawl_killed_midway_is_interrupted_and_the_rerun_stores_the_rest_once(
    server: MockServer, tmp_path: Path, sig: signal.Signals, use_jobdir: bool
) -> None:
    serve_listing(server, delay=0.25)
    config = make_config(tmp_path, [{"id": "big", "platform": "structured", "url": server.url("/list/p1")}])
    db = Path(config.warehouse.path)
    jobdir = tmp_path / "job" if use_jobdir else None
    result: dict[str, Any] = {}
    crawl = threading.Thread(
        target=lambda: result.update(first=crawl_source(config, "big", settings=FAST_SETTINGS, jobdir=jobdir))
    )
    crawl.start()
    marker = str(tmp_path / "crawl-runs")
    pid = wait_for(lambda: crawl_processes(marker), "the crawl subprocess")[0]
    wait_for(lambda: server.hits.get("/list/p5"), "page 5 to be served")
    os.kill(pid, sig)
    crawl.join(60)
    assert not crawl.is_alive()

    first = result["first"]
    assert first.status == "interrupted", first.errors
    stopped = [e for e in first.errors if e["error"] == "CrawlInterrupted"]
    assert stopped and (
        "SIGKILL" in stopped[0]["message"] if sig == signal.SIGKILL else "shutdown" in stopped[0]["message"]
    )
    assert run_status(db, first.run_id)[0] == "interrupted"
    n_first = len(stored_ids(db))
    assert 0 < n_first < len(SERVED)  # what was fetched before the kill is stored
    mark = rows(db, "select last_published_at, resume_since from crawl_watermarks where source_id = 'big'")[0]
    assert mark[0] is None and mark[1] is not None  # the watermark did not move; the source is marked for resuming
    if use_jobdir:
        assert jobdir is not None and jobdir.exists()  # Scrapy saved its queue: kept for the resume

    hits_before = dict(server.hits)
    rerun = crawl_source(config, "big", settings=FAST_SETTINGS, jobdir=jobdir)  # incremental: no --full
    assert rerun.status == "success", rerun.errors
    ids = stored_ids(db)
    assert set(ids) == SERVED and len(ids) == len(SERVED)  # served = stored, exactly once
    assert rows(db, "select count(*) from review_versions")[0][0] == 0  # nothing was stored as an edit
    if use_jobdir:  # resumed from the JOBDIR: no page that was read is requested again
        assert all(n == 1 for path, n in server.hits.items() if path.startswith("/list/")), server.hits
        assert rerun.n_items + first.n_items == len(SERVED)
    else:
        assert server.hits["/list/p1"] == hits_before["/list/p1"] + 1  # re-read from the top, not stopped at p1
    mark = rows(db, "select last_published_at, resume_since from crawl_watermarks where source_id = 'big'")[0]
    assert mark[0].isoformat().startswith("2026-10-31") and mark[1] is None  # review 1, the newest; resumed

    nightly = crawl_source(config, "big", settings=FAST_SETTINGS)
    assert nightly.status == "success" and nightly.n_pages == 1  # trusted again: stops at the known reviews


def test_a_killed_runner_leaves_no_orphan_and_the_next_crawl_closes_its_run_and_finishes(
    server: MockServer, tmp_path: Path
) -> None:
    serve_listing(server, delay=0.25)
    config = tmp_path / "molva.yaml"
    db = tmp_path / "data" / "wh.duckdb"
    config.write_text(
        "project: {name: t}\nbrands: [{id: acme, names: {en: Acme}, is_own: true}]\nsources:\n"
        f"  - {{id: big, brand: acme, platform: structured, url: '{server.url('/list/p1')}'}}\n"
        f"warehouse: {{path: '{db}'}}\ncrawl: {{download_delay: 0}}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "molva.cli.main", "crawl", "--config", str(config)]
    runner = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = str(tmp_path / "data" / "crawl-runs")
    wait_for(lambda: crawl_processes(marker), "the crawl subprocess")
    wait_for(lambda: server.hits.get("/list/p4"), "page 4 to be served")
    runner.kill()
    runner.wait(10)
    wait_for(lambda: not crawl_processes(marker), "the crawl subprocess to stop with its runner", limit=40)

    (run_id, status), *_ = rows(db, "select run_id, status from crawl_runs")
    assert status == "running"  # nobody could close it
    items = db.parent / "crawl-runs" / run_id / "items.jsonl"
    assert items.exists() and items.stat().st_size > 0  # beside the warehouse, not in /tmp
    stats = json.loads(items.with_name("stats.json").read_text(encoding="utf-8"))
    assert stats["finish_reason"] == "shutdown"  # stopped with its runner (SIGTERM), not crawling on as an orphan
    assert "unclean shutdown" not in items.with_name("crawl.log").read_text(encoding="utf-8")  # one SIGTERM only
    assert len(items.read_text(encoding="utf-8").splitlines()) < len(SERVED)

    again = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    status, errors = run_status(db, run_id)
    assert status == "interrupted"
    assert f"runner process {runner.pid} is gone" in errors[-1]["message"] and "picked up" in errors[-1]["message"]
    assert rows(db, "select count(*) from crawl_runs where status = 'running'")[0][0] == 0
    ids = stored_ids(db)
    assert set(ids) == SERVED and len(ids) == len(SERVED)


def test_stale_running_runs_are_closed_and_their_items_picked_up(server: MockServer, tmp_path: Path) -> None:
    serve_listing(server, n_pages=2)
    config = make_config(tmp_path, [{"id": "src", "platform": "structured", "url": server.url("/list/p1")}])
    db = Path(config.warehouse.path)
    orphan_items = tmp_path / "orphan" / "items.jsonl"
    orphan_items.parent.mkdir()
    lines = [
        {"platform": "structured", "external_id": f"https://reviews.test/r/{n}", "text": f"old {n}"} for n in (1, 99)
    ]
    orphan_items.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    con = connect(db)
    con.execute(
        "insert into crawl_runs (run_id, source_id, started_at, status) values "
        "('dead-owner', 'src', now()::timestamp - interval 1 hour, 'running'), "
        "('past-deadline', 'src', now()::timestamp - interval 9 hour, 'running')"
    )
    con.execute(
        "insert into crawl_run_files (run_id, source_id, platform, pid, host, deadline_at, items_path) values "
        "('dead-owner', 'src', 'structured', ?, ?, null, ?), "
        "('past-deadline', 'src', 'structured', 1, 'another-host', now()::timestamp - interval 1 hour, null)",
        [dead_pid, os.uname().nodename, str(orphan_items)],
    )
    con.close()

    summary = crawl_source(config, "src", settings=FAST_SETTINGS)
    assert summary.status == "success", summary.errors
    dead_status, dead_errors = run_status(db, "dead-owner")
    assert dead_status == "interrupted" and f"process {dead_pid} is gone" in dead_errors[-1]["message"]
    assert rows(db, "select n_items, n_new from crawl_runs where run_id = 'dead-owner'")[0] == (2, 2)
    late_status, late_errors = run_status(db, "past-deadline")
    assert late_status == "interrupted" and "after its deadline" in late_errors[-1]["message"]
    assert rows(db, "select count(*) from crawl_runs where status = 'running'")[0][0] == 0
    assert len(stored_ids(db)) == 2 * PER_PAGE + 1  # the orphan's review 99 was picked up, the rest crawled once


def _lost_page_source(server: MockServer, case: str) -> tuple[dict[str, Any], str]:
    """A listing whose page 2 is lost in the way ``case`` names; returns the source and the lost page's path."""
    first = jsonld_page([review(n) for n in range(1, 4)], f"/{case}/p2").encode()
    server.add(f"/{case}/p1", Canned(first, headers=HTML))
    third = jsonld_page([review(n) for n in range(7, 10)]).encode()
    server.add(f"/{case}/p3", Canned(third, headers=HTML))
    source: dict[str, Any] = {"id": case, "platform": "structured", "url": server.url(f"/{case}/p1")}
    if case == "cut":  # the HTML ends inside the JSON-LD: no review can be read
        page = jsonld_page([review(n) for n in range(4, 7)], f"/{case}/p3")
        server.add(f"/{case}/p2", Canned(page[: page.index("Author 5")].encode(), headers=HTML))
    elif case == "loop":  # p2 → a → p2
        server.add(f"/{case}/p2", Canned(b"", 302, {"Location": f"/{case}/a"}))
        server.add(f"/{case}/a", Canned(b"", 302, {"Location": f"/{case}/p2"}))
    elif case == "chain":  # p2 → r1 → r2 → … (never ends)
        server.add(f"/{case}/p2", Canned(b"", 302, {"Location": f"/{case}/r1"}))
        for n in range(1, 30):
            server.add(f"/{case}/r{n}", Canned(b"", 302, {"Location": f"/{case}/r{n + 1}"}))
    elif case == "maxpages":
        page = jsonld_page([review(n) for n in range(4, 7)], f"/{case}/p3").encode()
        server.add(f"/{case}/p2", Canned(page, headers=HTML))
        source["options"] = {"max_pages": 1}  # p2 is the first page not fetched
    return source, f"/{case}/p2"


@pytest.mark.parametrize(
    ("case", "error"),
    [("cut", "NoReviews"), ("loop", "RedirectLoop"), ("chain", "TooManyRedirects"), ("maxpages", "MaxPages")],
)
def test_every_lost_page_is_an_error_with_its_url(server: MockServer, tmp_path: Path, case: str, error: str) -> None:
    source, lost = _lost_page_source(server, case)
    config = make_config(tmp_path, [source])
    summary = crawl_source(config, case, settings=FAST_SETTINGS)
    status, errors = run_status(Path(config.warehouse.path), summary.run_id)
    assert status == "partial" and summary.n_new == 3, errors  # page 1 stored; the loss is recorded, not success
    assert [(e["error"], e["url"]) for e in errors] == [(error, server.url(lost))], errors
    assert summary.n_errors == 1


def test_a_page_lost_to_a_cut_body_is_read_by_the_next_crawl(server: MockServer, tmp_path: Path) -> None:
    source, _ = _lost_page_source(server, "cut")
    config = make_config(tmp_path, [source])
    assert crawl_source(config, "cut", settings=FAST_SETTINGS).status == "partial"
    server.add("/cut/p2", Canned(jsonld_page([review(n) for n in range(4, 7)], "/cut/p3").encode(), headers=HTML))
    again = crawl_source(config, "cut", settings=FAST_SETTINGS)  # incremental: page 1 is known, yet it reads on
    assert again.status == "success" and again.n_new == 6, again.errors
    assert len(stored_ids(Path(config.warehouse.path))) == 9


def _corrupt_reviews_blocks(db: Path) -> None:
    """Overwrite the middle of every block that holds only ``reviews.external_id`` data (DuckDB checks a checksum
    per block, so reading that column fails while the other tables stay readable)."""
    con = connect(db)
    rows_ = con.execute(
        "select distinct block_id, column_name from pragma_storage_info('reviews') where block_id >= 0"
    ).fetchall()
    ours = {b for b, c in rows_ if c == "external_id"}
    shared: set[int] = {b for b, c in rows_ if c != "external_id"}
    for (table,) in con.execute("select table_name from duckdb_tables() where table_name <> 'reviews'").fetchall():
        shared |= {b for (b,) in con.execute(f"select block_id from pragma_storage_info('{table}')").fetchall()}
    size = con.execute("select block_size from pragma_database_size()").fetchone()[0]
    con.close()
    targets = sorted(ours - shared)
    assert targets, "no block holds only reviews.external_id"
    with db.open("r+b") as handle:
        for block in targets:
            handle.seek(3 * 4096 + block * size + size // 2)
            handle.write(os.urandom(4096))


def test_a_corrupted_warehouse_is_exit_1_with_a_message_and_no_running_run(server: MockServer, tmp_path: Path) -> None:
    from warehouse.loader import load_reviews

    serve_listing(server, n_pages=1)
    db = tmp_path / "wh.duckdb"
    con = connect(db)
    load_reviews(
        con,
        [
            {"platform": "structured", "external_id": f"https://r.test/{'x' * 200}/{n}", "text": "t"}
            for n in range(40_000)
        ],
        source_id="src",
    )
    con.execute("checkpoint")
    con.close()
    _corrupt_reviews_blocks(db)
    config = tmp_path / "molva.yaml"
    config.write_text(
        "project: {name: t}\nbrands: [{id: acme, names: {en: Acme}, is_own: true}]\nsources:\n"
        f"  - {{id: src, brand: acme, platform: structured, url: '{server.url('/list/p1')}'}}\n"
        f"warehouse: {{path: '{db}'}}\ncrawl: {{download_delay: 0}}\n",
        encoding="utf-8",
    )
    from typer.testing import CliRunner

    from molva.cli.main import app

    result = CliRunner().invoke(app, ["crawl", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "failed" in result.output and ("checksum" in result.output.lower() or "corrupt" in result.output.lower())
    assert rows(db, "select count(*) from crawl_runs where status = 'running'")[0][0] == 0


def test_a_write_lock_held_at_load_time_is_a_clear_error_and_the_next_crawl_loads_the_items(
    server: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crawlers.runner

    monkeypatch.setattr(crawlers.runner, "LOCK_WAIT_SECONDS", 1.0)
    serve_listing(server, delay=0.5, n_pages=3)
    config = make_config(tmp_path, [{"id": "src", "platform": "structured", "url": server.url("/list/p1")}])
    db = Path(config.warehouse.path)
    result: dict[str, Any] = {}
    crawl = threading.Thread(target=lambda: result.update(first=crawl_source(config, "src", settings=FAST_SETTINGS)))
    crawl.start()
    wait_for(lambda: server.hits.get("/list/p1"), "the crawl to start fetching")
    hold = "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        crawl.join(60)
    finally:
        holder.communicate(timeout=10)  # closing its stdin releases the lock
    first = result["first"]
    assert first.status == "failed"
    message = first.errors[-1]["message"]
    assert "locked by another process" in message and "items.jsonl" in message and "next crawl" in message

    again = crawl_source(config, "src", settings=FAST_SETTINGS)
    assert again.status == "success", again.errors
    status, errors = run_status(db, first.run_id)
    assert status == "interrupted" and "picked up" in errors[-1]["message"]
    assert rows(db, "select n_items from crawl_runs where run_id = ?", [first.run_id])[0][0] == 3 * PER_PAGE
    assert rows(db, "select count(*) from crawl_runs where status = 'running'")[0][0] == 0
    assert len(stored_ids(db)) == 3 * PER_PAGE
