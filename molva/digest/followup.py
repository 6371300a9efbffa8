"""Last week's recommendations, followed up: each digest stores what it recommended (``digest_recommendations``,
migration 060) and the next one says whether the topic got better, stayed the same or got worse.

The verdict compares the topic's complaint share of the brand's reviews in the digest's week with the week the
recommendation was made: a two-proportion z-test (normal approximation, pooled share), ``better`` / ``worse`` when
the change is significant at 95 %, ``same`` otherwise (also when either week has fewer than :data:`MIN_REVIEWS`).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

Z95 = 1.959964
MIN_REVIEWS = 10


def verdict(c_then: int, n_then: int, c_now: int, n_now: int) -> str:
    """``better`` / ``same`` / ``worse`` for a complaint count ``c`` out of ``n`` reviews, then and now."""
    if n_then < MIN_REVIEWS or n_now < MIN_REVIEWS:
        return "same"
    p_then, p_now = c_then / n_then, c_now / n_now
    pooled = (c_then + c_now) / (n_then + n_now)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_then + 1 / n_now))
    if spread == 0:
        return "same"
    z = (p_now - p_then) / spread
    if z <= -Z95:
        return "better"
    if z >= Z95:
        return "worse"
    return "same"


def has_table(con: Any) -> bool:
    """Whether the warehouse has migration 060 (a read-only connection to an older file does not)."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = 'digest_recommendations'"
    ).fetchone()
    return bool(row and row[0])


def record_recommendations(
    con: Any, brand_id: str, week_start: date, iso_week: str, items: list[dict[str, Any]]
) -> int:
    """Store one digest's recommendations (the ``raw`` rows of :func:`molva.digest.signals.recommendations`),
    replacing what an earlier render of the same brand and week stored. Returns the rows written."""
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        con.execute("delete from digest_recommendations where brand_id = ? and week_start = ?", [brand_id, week_start])
        for item in items:
            r = item["raw"]
            con.execute(
                "insert into digest_recommendations (brand_id, week_start, iso_week, rec_rank, topic_id, team, "
                "priority_lift, priority_lift_ci_low, priority_lift_ci_high, lift_estimate, n_complaints_week, "
                "n_reviews_week, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [brand_id, week_start, iso_week, item["rank"], item["topic_id"], item["team_key"],
                 r["priority_lift"], r["priority_lift_ci_low"], r["priority_lift_ci_high"], r["lift_estimate"],
                 int(r["n_complaints_week"] or 0), int(r["n_reviews_week"] or 0), now],
            )  # fmt: skip
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(items)


def record_digest(db_path: Path, result: Any, config: Any = None) -> int:
    """After a digest is rendered: store its recommendations so next week's digest follows them up.

    Recomputes them from the marts on a writable connection (the renderer reads the warehouse read-only), with the
    same query and ranking the digest used. Returns the rows written.
    """
    from molva.digest import signals
    from molva.digest.queries import QueryLog
    from molva.digest.render import parse_iso_week
    from molva.digest.sections import Scope
    from warehouse.db import connect

    con = connect(Path(db_path))
    try:
        week_start = parse_iso_week(result.week)
        scope = Scope(result.brand_id, result.brand_name, True, result.brand_id, week_start, result.week, result.lang,
                      {})  # fmt: skip
        items = signals.recommendations(QueryLog(con), scope, [])["items"]
        return record_recommendations(con, result.brand_id, week_start, result.week, items)
    finally:
        con.close()
