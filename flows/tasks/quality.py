"""Run and record the data-quality checks of a flow run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task


@task(name="quality-checks")
def quality_checks_task(
    db_path: str, flow_run_id: str, source_ids: list[str], since: datetime | None = None
) -> list[dict[str, Any]]:
    """Check crawl volume, parse errors, empty texts and mart contracts; store and return the results."""
    from warehouse.db import connect
    from warehouse.quality import record_checks, run_checks

    con = connect(db_path)
    try:
        results = run_checks(con, source_ids, since)
        record_checks(con, flow_run_id, results)
    finally:
        con.close()
    return [r.to_dict() for r in results]
