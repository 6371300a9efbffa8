"""Spiders end to end against a loopback HTTP server: each test runs ``crawl_source`` (a real Scrapy subprocess with
short test timeouts) and checks what reached the warehouse and ``crawl_runs``. No test leaves 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crawl_mockserver import Canned, MockServer
from crawl_pages import jsonld_page, microdata_page, review
from crawl_support import FAST_SETTINGS, make_config

from crawlers.runner import crawl_all, crawl_source

HTML = {"Content-Type": "text/html; charset=utf-8"}


def warehouse_rows(config: Any, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    from warehouse.db import connect

    con = connect(config.warehouse.path)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def run_row(config: Any, run_id: str) -> dict[str, Any]:
    cols = ["status", "n_pages", "n_items", "n_new", "n_errors", "errors"]
    row = warehouse_rows(config, f"select {', '.join(cols)} from crawl_runs where run_id = ?", [run_id])[0]
    out = dict(zip(cols, row, strict=True))
    out["errors"] = json.loads(out["errors"] or "[]")
    return out


def test_hostile_server_loses_and_duplicates_nothing(mockserver: MockServer, tmp_path: Path) -> None:
    """429 + Retry-After, 500 then success, a timeout, a cut connection, truncated HTML, a cp1251 page, a 10 MB page
    and a page linking to itself as "next": every review arrives exactly once and the run is a success."""
    pages = {i: [review(2 * i - 1), review(2 * i)] for i in range(1, 9)}
    pages[6] = [review(11, text="Отличный сервис, быстро ответили"), review(12, text="Ждал ответа неделю")]
    ok = {i: jsonld_page(pages[i], f"/p{i + 1}").encode() for i in range(1, 9)}
    mockserver.add("/p1", Canned(b"slow down", 429, {**HTML, "Retry-After": "1"}), Canned(ok[1], headers=HTML))
    mockserver.add("/p2", Canned(b"oops", 500, HTML), Canned(ok[2], headers=HTML))
    mockserver.add("/p3", Canned(ok[3], headers=HTML, delay=3.0), Canned(ok[3], headers=HTML))  # timeout is 2 s
    mockserver.add("/p4", Canned(ok[4], headers=HTML, truncate=True), Canned(ok[4], headers=HTML))
    # HTML cut in the middle of the third review: the two complete ones are kept, pagination goes on
    truncated = microdata_page([*pages[5], review(99)], "/p6")
    mockserver.add("/p5", Canned(truncated[: truncated.index("Author 99") + 3].encode(), headers=HTML))
    cp1251 = microdata_page(pages[6], "/p7", charset="windows-1251").encode("cp1251")
    mockserver.add("/p6", Canned(cp1251, headers={"Content-Type": "text/html; charset=windows-1251"}))
    padding = "".join(f"<p>filler line {i} to make the page large</p>" for i in range(300_000))
    big = jsonld_page(pages[7], "/p8", padding=padding).encode()
    assert len(big) > 10_000_000
    mockserver.add("/p7", Canned(big, headers=HTML))
    mockserver.add("/p8", Canned(jsonld_page(pages[8], "/p8").encode(), headers=HTML))  # "next" is itself

    config = make_config(tmp_path, [{"id": "hostile", "platform": "structured", "url": mockserver.url("/p1")}])
    summary = crawl_source(config, "hostile", settings=FAST_SETTINGS, work_dir=tmp_path / "run")

    assert summary.status == "success", summary.errors
    ids = [r[0] for r in warehouse_rows(config, "select external_id from reviews order by external_id")]
    expected_ids = sorted(f"https://reviews.test/r/{n}" for n in range(1, 17))
    assert ids == expected_ids  # 16 reviews, none lost, none twice; the cut review 99 is not invented
    texts = {r[0] for r in warehouse_rows(config, "select text from reviews")}
    assert "Отличный сервис, быстро ответили" in texts  # decoded from windows-1251
    assert summary.n_pages == 8 and summary.n_new == 16
    row = run_row(config, summary.run_id)
    assert (row["status"], row["n_items"], row["n_new"], row["n_errors"]) == ("success", 16, 16, 0)
    hits = [(t, p) for t, _, p in mockserver.log if p == "/p1"]
    assert len(hits) == 2 and hits[1][0] - hits[0][0] >= 0.9  # waited for Retry-After: 1
    assert mockserver.hits["/p8"] == 1  # the self-link was not followed again
    authors = {r[0] for r in warehouse_rows(config, "select author_hash from reviews")}
    assert all(a.startswith("anon:") for a in authors)


def test_errors_land_in_crawl_runs_and_one_broken_source_does_not_stop_others(
    mockserver: MockServer, tmp_path: Path
) -> None:
    mockserver.add("/ok/p1", Canned(jsonld_page([review(1), review(2)], "/ok/p2").encode(), headers=HTML))
    mockserver.add("/ok/p2", Canned(b"down", 500, HTML))  # always 500: retried, then recorded
    mockserver.add("/empty", Canned(b"", headers=HTML))
    mockserver.add("/dead", Canned(b"", 404, HTML))
    too_high, future = review(3), review(4)
    too_high["reviewRating"]["ratingValue"] = 7  # on a 1-5 scale
    future["datePublished"] = "2099-01-01"
    mockserver.add("/invalid", Canned(jsonld_page([review(5), too_high, future]).encode(), headers=HTML))
    config = make_config(
        tmp_path,
        [
            {"id": "half-broken", "platform": "structured", "url": mockserver.url("/ok/p1")},
            {"id": "empty", "platform": "structured", "url": mockserver.url("/empty")},
            {"id": "dead", "platform": "structured", "url": mockserver.url("/dead")},
            {"id": "invalid", "platform": "structured", "url": mockserver.url("/invalid")},
            {
                "id": "bad-selectors",
                "platform": "selectors",
                "url": mockserver.url("/ok/p1"),
                "options": {"selectors": str(tmp_path / "missing.yaml")},
            },
        ],
    )
    summaries = {s.source_id: s for s in crawl_all(config, settings=FAST_SETTINGS, parallel=2)}

    half = run_row(config, summaries["half-broken"].run_id)
    assert half["status"] == "partial" and half["n_new"] == 2 and half["n_errors"] == 1
    assert half["errors"][0]["url"].endswith("/ok/p2") and "500" in half["errors"][0]["message"]
    assert mockserver.hits["/ok/p2"] == 1 + FAST_SETTINGS["RETRY_TIMES"]
    empty = run_row(config, summaries["empty"].run_id)
    assert empty["status"] == "failed" and empty["errors"][0]["error"] == "EmptyPage"
    dead = run_row(config, summaries["dead"].run_id)
    assert dead["status"] == "failed" and "404" in dead["errors"][0]["message"]
    bad = run_row(config, summaries["bad-selectors"].run_id)
    assert bad["status"] == "failed" and "missing.yaml" in json.dumps(bad["errors"])
    invalid = run_row(config, summaries["invalid"].run_id)
    assert invalid["status"] == "partial" and invalid["n_new"] == 1
    messages = sorted(e["message"] for e in invalid["errors"] if e["error"] == "InvalidItem")
    assert len(messages) == 2 and "outside its scale 1–5" in messages[0] and "in the future" in messages[1]
    assert warehouse_rows(config, "select count(*) from reviews")[0][0] == 3


def _serve_listing(server: MockServer, numbers: list[int], per_page: int = 2) -> None:
    chunks = [numbers[i : i + per_page] for i in range(0, len(numbers), per_page)]
    for index, chunk in enumerate(chunks, start=1):
        nxt = f"/list/p{index + 1}" if index < len(chunks) else None
        server.add(f"/list/p{index}", Canned(jsonld_page([review(n) for n in chunk], nxt).encode(), headers=HTML))


def test_incremental_crawl_stops_at_known_reviews_and_full_recrawls(mockserver: MockServer, tmp_path: Path) -> None:
    _serve_listing(mockserver, list(range(1, 11)))  # reviews 1..10, newest first, 5 pages
    config = make_config(
        tmp_path, [{"id": "inc", "platform": "structured", "url": mockserver.url("/list/p1")}], overlap=2
    )
    first = crawl_source(config, "inc", settings=FAST_SETTINGS)
    assert (first.status, first.n_pages, first.n_new) == ("success", 5, 10)

    _serve_listing(mockserver, [-2, -1, *range(1, 11)])  # two newer reviews on top: everything shifts by one page
    mockserver.log.clear()
    nightly = crawl_source(config, "inc", settings=FAST_SETTINGS)
    assert nightly.status == "success" and nightly.n_new == 2
    # p1 (new), p2 (2 known), p3 (4 known > overlap 2): stop; p4..p6 are never requested
    assert nightly.n_pages == 3
    assert {p for _, _, p in mockserver.log if p.startswith("/list/")} == {"/list/p1", "/list/p2", "/list/p3"}

    full = crawl_source(config, "inc", full=True, settings=FAST_SETTINGS)
    assert full.n_pages == 6 and full.n_new == 0 and full.n_items == 12
    assert warehouse_rows(config, "select count(*) from reviews")[0][0] == 12
    mark = warehouse_rows(config, "select last_published_at from crawl_watermarks where source_id = 'inc'")[0][0]
    assert mark.isoformat().startswith("2026-11-03")  # review -2, the newest


def test_jobdir_resumes_an_interrupted_crawl(mockserver: MockServer, tmp_path: Path) -> None:
    numbers = list(range(1, 13))
    for index in range(6):
        chunk = numbers[2 * index : 2 * index + 2]
        nxt = f"/slow/p{index + 2}" if index < 5 else None
        body = jsonld_page([review(n) for n in chunk], nxt).encode()
        mockserver.add(f"/slow/p{index + 1}", Canned(body, headers=HTML, delay=1.2))
    config = make_config(tmp_path, [{"id": "slow", "platform": "structured", "url": mockserver.url("/slow/p1")}])
    jobdir = tmp_path / "job"
    settings = {**FAST_SETTINGS, "DOWNLOAD_TIMEOUT": 10}
    # 6 pages × 1.2 s do not fit in 6 s (with ~2 s of start-up): the runner stops the crawl with SIGINT
    stopped = crawl_source(config, "slow", settings=settings, jobdir=jobdir, timeout=6)
    print("stopped after", stopped.n_items, "items")
    assert stopped.status == "interrupted" and stopped.n_items < 12  # stopped early; what it had is loaded
    assert "did not finish" in json.dumps(stopped.errors)
    assert jobdir.exists()
    resumed = crawl_source(config, "slow", settings=settings, jobdir=jobdir)
    assert resumed.status == "success"
    assert resumed.n_items + stopped.n_items == 12  # resumed where it stopped: no page fetched twice
    assert warehouse_rows(config, "select count(*) from reviews")[0][0] == 12
    assert not jobdir.exists()  # a finished crawl clears its JOBDIR


@pytest.mark.parametrize("platform", ["structured"])
def test_scrapy_crawl_command_works_from_repo_root(mockserver: MockServer, tmp_path: Path, platform: str) -> None:
    import os
    import subprocess
    import sys

    from crawl_support import REPO

    mockserver.add("/one", Canned(jsonld_page([review(1), review(2)]).encode(), headers=HTML))
    cfg = tmp_path / "molva.yaml"
    cfg.write_text(
        "project: {name: t}\nbrands: [{id: acme, names: {en: Acme}, is_own: true}]\n"
        f"sources: [{{id: one, brand: acme, platform: {platform}, url: '{mockserver.url('/one')}'}}]\n"
        f"warehouse: {{path: '{tmp_path / 'wh.duckdb'}'}}\n",
        encoding="utf-8",
    )
    settings = [arg for key, value in FAST_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", platform, "-a", "source=one", "-a", f"config={cfg}", *settings],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    config = make_config(tmp_path, [])
    assert warehouse_rows(config, "select count(*) from reviews where source_id = 'one'")[0][0] == 2
    assert warehouse_rows(config, "select status from crawl_runs")[0][0] == "success"


def test_robots_txt_is_obeyed(mockserver: MockServer, tmp_path: Path) -> None:
    mockserver.add(
        "/robots.txt", Canned(b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    )
    mockserver.add("/private/reviews", Canned(jsonld_page([review(1)]).encode(), headers=HTML))
    config = make_config(
        tmp_path, [{"id": "private", "platform": "structured", "url": mockserver.url("/private/reviews")}]
    )
    summary = crawl_source(config, "private", settings=FAST_SETTINGS)
    assert summary.status == "failed" and summary.n_items == 0
    assert "robots.txt" in json.dumps(run_row(config, summary.run_id)["errors"])
    assert "/private/reviews" not in mockserver.hits
