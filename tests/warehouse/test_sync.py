from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from molva.config import load_config
from warehouse.sync import sync_config

REPO = Path(__file__).resolve().parents[2]


def test_sync_mirrors_brands_and_sources_and_is_idempotent(warehouse: duckdb.DuckDBPyConnection) -> None:
    config = load_config(REPO / "configs" / "example.yaml")
    sync_config(warehouse, config, now=datetime(2026, 11, 1, tzinfo=UTC))
    before = {t: warehouse.execute(f"select * from {t} order by all").fetchall() for t in ("brands", "sources")}
    assert len(before["brands"]) == 4 and len(before["sources"]) == len(config.sources)
    own = warehouse.execute("select brand_id from brands where is_own").fetchall()
    assert own == [("acme",)]
    sync_config(warehouse, config, now=datetime(2026, 11, 2, tzinfo=UTC))
    after = {t: warehouse.execute(f"select * from {t} order by all").fetchall() for t in ("brands", "sources")}
    assert after == before  # nothing changed, so not even updated_at moves


def test_sync_updates_changed_rows_only(warehouse: duckdb.DuckDBPyConnection) -> None:
    config = load_config(REPO / "configs" / "example.yaml")
    sync_config(warehouse, config, now=datetime(2026, 11, 1, tzinfo=UTC))
    config.sources[0].enabled = False
    sync_config(warehouse, config, now=datetime(2026, 11, 3, tzinfo=UTC))
    rows = warehouse.execute(
        "select source_id, is_enabled, updated_at from sources order by updated_at desc"
    ).fetchall()
    assert rows[0] == (config.sources[0].id, False, datetime(2026, 11, 3))
    assert all(r[2] == datetime(2026, 11, 1) for r in rows[1:])
