"""The nightly and backfill flows under the session's Prefect harness, with a crawler and enrichers replaced by small
in-process doubles (the real ones have their own tests; test_demo_run.py crawls for real)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crawlers.bookkeeping import finish_run, start_run
from flows.backfill import backfill
from flows.nightly import nightly, run_flow, selected_sources
from flows.tasks import crawl as crawl_tasks
from flows.tasks import enrich as enrich_tasks
from flows.tasks import shards
from flows.tasks.enrich import enrich_task
from nlp.sentiment.base import SentimentModel
from warehouse import db as warehouse_db
from warehouse.db import connect

BASE = datetime(2026, 10, 5, 9, 0)


def _page(brand: str, n: int) -> list[dict[str, Any]]:
    """n reviews over three weeks; every third one complains about late delivery."""
    out = []
    for i in range(n):
        late = i % 3 == 0
        out.append(
            {
                "platform": "trustpilot",
                "external_id": f"{brand}-{i}",
                "text": "The courier was late again." if late else "Great service, fresh food.",
                "rating": 1.0 if late else 5.0,
                "rating_scale": 5.0,
                "author": f"Person {i}",
                "published_at": (BASE + timedelta(hours=13 * i)).isoformat() + "+00:00",
                "language": "en",
                "kind": "review",
            }
        )
    return out


PAGES = {"acme-tp": _page("acme", 30), "rival-tp": _page("rival", 12)}
CALLS: list[str] = []


def fake_crawl_source(config: Any, source_id: str, *, full: bool = False, db_path: str | None = None) -> Any:
    """Loads the source's fixed page through the crawler's own bookkeeping (crawl_runs, loader, watermark)."""
    CALLS.append(source_id)
    con = connect(db_path or config.warehouse.path)
    try:
        summary = start_run(con, source_id, "trustpilot", full=full)
        if source_id not in PAGES:
            return finish_run(con, summary, items=[], stats={}, brand_id=None, salt="s", failure="HTTP 503 for page 1")
        brand = config.source(source_id).brand
        return finish_run(con, summary, items=PAGES[source_id], stats={"n_pages": 1}, brand_id=brand, salt="s")
    finally:
        con.close()


class FakeSentiment(SentimentModel):
    """Negative for texts about lateness, positive otherwise: the real sharded sentiment path with a tiny model."""

    name, version = "fake", "1"

    def predict_proba(self, texts: Any) -> Any:
        import numpy as np

        return np.array([[0.9, 0.05, 0.05] if "late" in t else [0.05, 0.05, 0.9] for t in texts])


def fake_sentiment(con: duckdb.DuckDBPyConnection, config: Any) -> dict[str, int]:
    """Labels each review not yet labelled for its current content from its rating (idempotent like the real one)."""
    pending = con.execute(
        "select r.review_id, r.content_hash, r.rating from reviews as r left join review_sentiment as s"
        " on s.review_id = r.review_id and s.content_hash = r.content_hash and s.model_name = 'fake'"
        " where s.review_id is null"
    ).fetchall()
    for review_id, content_hash, rating in pending:
        label = "negative" if rating and rating <= 2 else "positive"
        con.execute(
            "insert or replace into review_sentiment values (?, ?, 'fake', '1', 'en', ?, ?, 0, 0, 0, 0, ?)",
            [review_id, content_hash, label, -0.9 if label == "negative" else 0.9, datetime(2026, 10, 1)],
        )
    return {"n_reviews": len(pending)}


def fake_topics(con: duckdb.DuckDBPyConnection, config: Any) -> dict[str, int]:
    """Tags 'late' sentences as delivery complaints, for reviews not tagged yet."""
    con.execute(
        "insert or ignore into topics (topic_id, label_en, kind, status, stage, first_seen_at, updated_at)"
        " values ('delivery', 'Delivery', 'taxonomy', 'active', 'delivery', '2026-01-01', '2026-01-01')"
    )
    pending = con.execute(
        "select review_id, text, content_hash from reviews where text like '%late%'"
        " and review_id not in (select review_id from sentence_topics)"
    ).fetchall()
    for review_id, text, content_hash in pending:
        con.execute(
            "insert into sentence_topics (review_id, sentence_index, topic_id, score, polarity, kind, start_char, "
            "end_char, content_hash, assigned_at) values (?, 0, 'delivery', 0.9, 'negative', 'complaint', 0, ?, ?, ?)",
            [review_id, len(text), content_hash, datetime(2026, 10, 1)],
        )
    return {"n_reviews": len(pending)}


def _write_config(tmp_path: Path, *, broken: bool) -> Path:
    db = tmp_path / "wh.duckdb"
    broken_source = (
        "  - {id: broken-tp, brand: rival, platform: trustpilot, url: 'https://www.trustpilot.com/review/x'}\n"
        if broken
        else ""
    )
    text = f"""
project: {{name: test}}
brands:
  - {{id: acme, names: {{en: Acme}}, is_own: true}}
  - {{id: rival, names: {{en: Rival}}}}
sources:
  - {{id: acme-tp, brand: acme, platform: trustpilot, url: 'https://www.trustpilot.com/review/acme'}}
  - {{id: rival-tp, brand: rival, platform: trustpilot, url: 'https://www.trustpilot.com/review/rival'}}
{broken_source}warehouse: {{path: '{db}'}}
nlp: {{sentiment_model: fake}}
digest: {{language: en, recipients: [cx@example.org], out_dir: '{tmp_path / "reports"}'}}
"""
    path = tmp_path / "molva.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def doubles(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    monkeypatch.setattr(crawl_tasks, "crawler", lambda: fake_crawl_source)
    monkeypatch.setattr(shards, "load_model", lambda config: FakeSentiment())
    monkeypatch.setitem(enrich_tasks.RUNNERS, "sentiment", fake_sentiment)
    monkeypatch.setitem(enrich_tasks.RUNNERS, "topics", fake_topics)
    monkeypatch.setitem(enrich_tasks.RUNNERS, "duplicates", lambda con, config: {})
    monkeypatch.setitem(enrich_tasks.RUNNERS, "emerging", lambda con, config: {})


def _snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Data tables and marts; bookkeeping of the runs themselves (crawl_runs, flow_runs, checks, last_seen_at,
    mart_source_health's run counts) is expected to record the rerun and is left out."""
    con = warehouse_db.connect(db, read_only=True)
    try:
        tables = [
            "review_versions", "review_sentiment", "sentence_topics", "brands", "sources",
            "mart_brand_period", "mart_topics_weekly", "mart_competitors", "mart_impact", "mart_topic_evidence",
        ]  # fmt: skip
        snap = {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
        snap["reviews"] = con.execute("select * exclude (last_seen_at) from reviews order by review_id").fetchall()
        return snap
    finally:
        con.close()


def test_failing_source_does_not_stop_the_others_and_fails_the_prefect_run(tmp_path: Path, doubles: None) -> None:
    config = _write_config(tmp_path, broken=True)
    state = nightly(config_path=str(config), crawl_retries=1, retry_delay=0.0, quiet=True, return_state=True)
    assert state.is_failed()  # a Prefect automation or alert on Failed fires for a partial night
    assert state.message == "nightly partial: 1 of 3 sources failed (broken-tp); checks failed: crawl_status:broken-tp"
    summary = state.result(raise_on_failure=False)
    assert summary["status"] == "partial"
    assert summary["sources"]["broken-tp"]["status"] == "failed"
    assert "CrawlFailed" in summary["sources"]["broken-tp"]["error"]
    assert CALLS.count("broken-tp") == 2  # tried, then retried once
    assert summary["sources"]["acme-tp"]["n_new"] == 30 and summary["sources"]["rival-tp"]["n_new"] == 12
    con = warehouse_db.connect(tmp_path / "wh.duckdb", read_only=True)
    try:
        run = con.execute(
            "select flow_name, status, n_sources, n_sources_failed, n_new, n_enriched from flow_runs"
        ).fetchall()
        assert run == [("nightly", "partial", 3, 1, 42, 42)]
        failed = con.execute(
            "select status from data_quality_checks where check_name = 'crawl_status' and subject = 'broken-tp'"
        ).fetchone()
        assert failed == ("fail",)
        assert con.execute("select count(*) from mart_brand_period").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()


def test_rerun_of_the_same_night_does_no_work_and_changes_no_data(tmp_path: Path, doubles: None) -> None:
    config = _write_config(tmp_path, broken=False)
    state = nightly(config_path=str(config), crawl_retries=0, quiet=True, return_state=True)
    assert state.is_completed() and state.message == "success"
    first = state.result()
    assert first["status"] == "success", first
    before = _snapshot(tmp_path / "wh.duckdb")
    second = run_flow(nightly, config_path=str(config), crawl_retries=0, quiet=True)
    assert second["status"] == "success"
    assert second["totals"]["n_new"] == 0 and second["totals"]["n_updated"] == 0
    assert second["steps"]["enrich:sentiment"]["n_reviews"] == 0
    assert second["steps"]["enrich:topics"]["n_reviews"] == 0
    assert _snapshot(tmp_path / "wh.duckdb") == before
    con = warehouse_db.connect(tmp_path / "wh.duckdb", read_only=True)
    try:
        assert con.execute("select count(*) from flow_runs where status = 'success'").fetchone() == (2,)
    finally:
        con.close()


def test_backfill_counts_the_range(tmp_path: Path, doubles: None) -> None:
    config = _write_config(tmp_path, broken=False)
    summary = run_flow(backfill, start=date(2026, 10, 5), end=date(2026, 10, 9), config_path=str(config), quiet=True)
    # reviews every 13 hours from 2026-10-05 09:00: those before 2026-10-10 00:00 are i = 0..8
    assert summary["in_range"] == {"acme-tp": 9, "rival-tp": 9}
    with pytest.raises(ValueError, match="after end"):
        backfill.fn(start=date(2026, 10, 9), end=date(2026, 10, 5), config_path=str(config))


def test_enrich_task_keeps_going_after_a_failing_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(con: Any, config: Any) -> None:
        raise RuntimeError("model file missing")

    calls: list[str] = []
    monkeypatch.setitem(enrich_tasks.RUNNERS, "sentiment", broken)
    monkeypatch.setitem(enrich_tasks.RUNNERS, "topics", lambda con, config: calls.append("topics") or {"n": 1})
    report = enrich_task.fn(str(tmp_path / "e.duckdb"), config=None, steps=("sentiment", "topics"))
    assert report["sentiment"]["status"] == "failed" and "model file missing" in report["sentiment"]["error"]
    assert report["topics"]["status"] == "success" and calls == ["topics"]


def test_enrich_flow_reports_a_failing_step_and_runs_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing_model(config: Any) -> None:
        raise FileNotFoundError("molva-sentiment is not built: run `molva models build`")

    calls: list[str] = []
    monkeypatch.setattr(shards, "load_model", missing_model)
    monkeypatch.setitem(enrich_tasks.RUNNERS, "topics", lambda con, config: calls.append("topics") or {"n": 1})
    report = shards.enrich_flow(str(tmp_path / "e.duckdb"), config=None, steps=("sentiment", "topics"))
    assert report["sentiment"]["status"] == "failed" and "models build" in report["sentiment"]["error"]
    assert report["topics"] == {"status": "success", "n": 1, "seconds": report["topics"]["seconds"]}
    assert calls == ["topics"]


def test_selected_sources(tmp_path: Path) -> None:
    from molva.config import load_config

    config = load_config(_write_config(tmp_path, broken=True))
    assert selected_sources(config, None) == ["acme-tp", "rival-tp", "broken-tp"]
    assert selected_sources(config, ["rival-tp"]) == ["rival-tp"]
    with pytest.raises(ValueError, match="nope"):
        selected_sources(config, ["nope"])


def test_weekly_digest_renders_from_the_marts_and_sends(
    tmp_path: Path, doubles: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import molva.digest.send as send_module
    from flows.weekly import weekly_digest

    sent: list[tuple[Any, list[str]]] = []
    monkeypatch.setattr(send_module, "send_digest", lambda result, recipients, **kw: sent.append((result, recipients)))
    config = _write_config(tmp_path, broken=False)
    run_flow(nightly, config_path=str(config), crawl_retries=0, quiet=True)
    summary = weekly_digest(config_path=str(config), formats=["html", "md"], send=True)
    assert summary["status"] == "success"
    assert sorted(Path(p).suffix for p in summary["digest"]) == [".html", ".md"]
    assert all(Path(p).is_file() and Path(p).parent == tmp_path / "reports" for p in summary["digest"])
    assert [recipients for _, recipients in sent] == [["cx@example.org"]]
    assert "Acme" in Path(next(p for p in summary["digest"] if p.endswith(".html"))).read_text(encoding="utf-8")


def test_backfill_command_rejects_a_bad_date(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from molva.cli.main import app

    config = _write_config(tmp_path, broken=False)
    result = CliRunner().invoke(app, ["backfill", "--start", "2026-13-01", "--end", "2026-10-09", "-c", str(config)])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_molva_run_exits_1_for_a_partial_night(tmp_path: Path, doubles: None) -> None:
    from typer.testing import CliRunner

    from molva.cli.main import app

    config = _write_config(tmp_path, broken=True)
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--no-digest", "--quiet"])
    assert result.exit_code == 1, result.output
    assert "(partial)" in result.output
