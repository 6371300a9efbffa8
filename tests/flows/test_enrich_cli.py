"""`molva enrich` runs every enrichment step, in the nightly's order, and a rerun finds nothing to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from molva.cli.main import app
from tests.flows.test_enrich_shards import _load
from warehouse import db as warehouse_db

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_enrich_runs_every_step_then_has_nothing_to_do(tmp_path: Path) -> None:
    db = str(tmp_path / "wh.duckdb")
    _load(db)
    command = ["enrich", "--db", db, "--config", str(REPO / "configs" / "demo.yaml")]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    for step in ("sentiment", "duplicates", "topics", "emerging"):
        assert f"\n{step} (" in "\n" + first.output, first.output
    assert "30 reviews and" in first.output
    con = warehouse_db.connect(db, read_only=True)
    try:
        counts = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[index]
            for t in ("review_sentiment", "sentence_sentiment", "topic_assignment_state", "dedup_state")
        }
    finally:
        con.close()
    assert counts["review_sentiment"] == 30 and counts["topic_assignment_state"] == 30, counts
    assert counts["sentence_sentiment"] > 30 and counts["dedup_state"] == 1, counts
    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0, again.output
    assert "0 reviews and 0 sentences classified, 30 already up to date" in again.output


def test_enrich_rejects_an_unknown_step(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["enrich", "--db", str(tmp_path / "x.duckdb"), "--step", "sentiments"])
    assert result.exit_code == 2 and "unknown step(s) sentiments" in result.output
