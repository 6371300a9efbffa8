"""Rebuild staging views and mart tables, then check their contracts."""

from __future__ import annotations

from typing import Any

from prefect import task


@task(name="build-marts", retries=1, retry_delay_seconds=5)
def build_marts_task(db_path: str, sentiment_model: str | None = None, timezone: str = "UTC") -> dict[str, Any]:
    """Build every mart in one transaction; returns row counts and seconds. Retried once: a locked file can clear."""
    from warehouse.db import connect
    from warehouse.marts import build_marts

    con = connect(db_path)
    try:
        result = build_marts(con, sentiment_model=sentiment_model, timezone=timezone)
    finally:
        con.close()
    return {"rows": result.rows, "seconds": round(result.seconds, 2), "built": result.built}
