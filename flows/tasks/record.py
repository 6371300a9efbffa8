"""Bookkeeping of flow runs in the ``flow_runs`` table (migration 040)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any


def now_utc() -> datetime:
    """The current UTC time as the naive timestamp the warehouse stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def current_flow_run_id() -> str:
    """Prefect's id of the running flow, or a fresh uuid outside Prefect."""
    try:
        from prefect.runtime import flow_run

        run_id = flow_run.id
    except Exception:  # pragma: no cover - prefect.runtime is always importable with prefect installed
        run_id = None
    return str(run_id) if run_id else str(uuid.uuid4())


def begin_flow_run(config_path: str, flow_name: str, parameters: dict[str, Any]) -> tuple[Any, str, str, datetime]:
    """Load the config and record a ``running`` flow_runs row; returns (config, db_path, flow_run_id, started_at)."""
    from molva.config import load_config
    from warehouse.db import connect

    config = load_config(config_path)
    db_path = str(config.warehouse.path)
    flow_run_id = current_flow_run_id()
    started_at = now_utc()
    con = connect(db_path)
    try:
        start_flow_run(con, flow_run_id, flow_name, parameters, started_at)
    finally:
        con.close()
    return config, db_path, flow_run_id, started_at


def end_flow_run(db_path: str, flow_run_id: str, status: str, summary: dict[str, Any], error: str | None) -> None:
    """Open the warehouse and close the run's ``flow_runs`` row (see :func:`finish_flow_run`)."""
    from warehouse.db import connect

    con = connect(db_path)
    try:
        finish_flow_run(con, flow_run_id, status, summary, error)
    finally:
        con.close()


def start_flow_run(
    con: Any, flow_run_id: str, flow_name: str, parameters: dict[str, Any], started_at: datetime
) -> None:
    """Insert (or reset, for a Prefect retry of the same run) the ``running`` row."""
    con.execute("delete from flow_runs where flow_run_id = ?", [flow_run_id])
    con.execute(
        "insert into flow_runs (flow_run_id, flow_name, started_at, status, parameters) values (?, ?, ?, 'running', ?)",
        [flow_run_id, flow_name, started_at, json.dumps(parameters, default=str, sort_keys=True)],
    )


def finish_flow_run(con: Any, flow_run_id: str, status: str, summary: dict[str, Any], error: str | None = None) -> None:
    """Close the run with its status, counts and the full summary as JSON."""
    totals = summary.get("totals", {})
    con.execute(
        "update flow_runs set finished_at = ?, status = ?, n_sources = ?, n_sources_failed = ?, n_items = ?,"
        " n_new = ?, n_updated = ?, n_enriched = ?, n_checks_failed = ?, summary = ?, error = ?"
        " where flow_run_id = ?",
        [
            now_utc(),
            status,
            int(totals.get("n_sources", 0)),
            int(totals.get("n_sources_failed", 0)),
            int(totals.get("n_items", 0)),
            int(totals.get("n_new", 0)),
            int(totals.get("n_updated", 0)),
            int(totals.get("n_enriched", 0)),
            int(totals.get("n_checks_failed", 0)),
            json.dumps(summary, default=str, sort_keys=True),
            error,
            flow_run_id,
        ],
    )
