"""Data-quality checks on small hand-made crawl histories."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse.db import connect
from warehouse.marts import build_marts
from warehouse.quality import check_crawls, check_empty_text, check_marts, record_checks, run_checks

T0 = datetime(2026, 11, 1, 3, 0)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "q.duckdb")
    yield connection
    connection.close()


def _runs(con: duckdb.DuckDBPyConnection, source_id: str, history: list[tuple[int, int]], status: str = "success"):
    """One run a night; the last tuple is tonight's run with ``status``."""
    for night, (n_items, n_errors) in enumerate(history):
        last = night == len(history) - 1
        con.execute(
            "insert into crawl_runs (run_id, source_id, started_at, status, n_items, n_errors)"
            " values (?, ?, ?, ?, ?, ?)",
            [f"{source_id}-{night}", source_id, T0 + timedelta(days=night), status if last else "success", n_items,
             n_errors],
        )  # fmt: skip


def _by(results, name):  # type: ignore[no-untyped-def]
    return {r.subject: r for r in results if r.check_name == name}


def test_volume_drop_and_rising_parse_errors(con: duckdb.DuckDBPyConnection) -> None:
    _runs(con, "steady", [(100, 0)] * 5 + [(90, 1)])
    _runs(con, "dropped", [(100, 0)] * 5 + [(12, 0)])
    _runs(con, "noisy", [(100, 2)] * 5 + [(70, 30)])
    _runs(con, "small", [(3, 0)] * 5 + [(0, 0)])
    _runs(con, "down", [(100, 0)] * 2 + [(0, 5)], status="failed")
    _runs(con, "young", [(130, 0), (20, 0), (15, 0)])  # first crawl reads everything, nightlies only the new
    results = check_crawls(con, ["steady", "dropped", "noisy", "small", "down", "never", "young"])
    volume, errors, status = (
        _by(results, "volume_drop"),
        _by(results, "parse_error_share"),
        _by(results, "crawl_status"),
    )
    assert volume["steady"].status == "pass" and volume["dropped"].status == "warn"
    assert volume["dropped"].value == pytest.approx(0.12)
    assert "small" not in volume  # a typical volume of 3 is too small to call a drop
    assert "young" not in volume  # two runs of history are not enough to know what is usual
    assert errors["noisy"].status == "warn" and errors["noisy"].value == pytest.approx(0.3)
    assert errors["steady"].status == "pass"
    assert status["down"].status == "fail" and status["never"].status == "warn"


def test_runs_before_the_flow_started_are_not_tonights(con: duckdb.DuckDBPyConnection) -> None:
    _runs(con, "old", [(100, 0)] * 3)
    results = check_crawls(con, ["old"], since=T0 + timedelta(days=10))
    assert [(r.check_name, r.status) for r in results] == [("crawl_status", "warn")]


def test_empty_text_and_recording(con: duckdb.DuckDBPyConnection) -> None:
    for i, text in enumerate(["fine", "   ", "also fine"]):
        con.execute(
            "insert into reviews (review_id, source_id, platform, external_id, text, first_seen_at, last_seen_at,"
            " content_hash) values (?, 'src', 'x', ?, ?, ?, ?, 'h')",
            [f"r{i}", f"e{i}", text, T0, T0],
        )
    empty = check_empty_text(con)
    assert [(r.subject, r.status, r.value) for r in empty] == [("src", "fail", pytest.approx(1 / 3, abs=1e-4))]
    build_marts(con)
    assert [r.status for r in check_marts(con)] == ["pass"]
    results = run_checks(con, [])
    record_checks(con, "flow-1", results)
    record_checks(con, "flow-1", results)  # re-recording replaces
    rows = con.execute("select check_name, subject, status from data_quality_checks order by all").fetchall()
    assert rows == [("empty_text", "src", "fail"), ("mart_contract", "*", "pass")]
