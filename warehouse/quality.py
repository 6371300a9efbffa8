"""Data-quality checks run after every nightly: is each source still delivering, parsing and giving text?

Each check returns :class:`CheckResult` rows (``pass`` / ``warn`` / ``fail``) that :func:`record_checks` stores in
``data_quality_checks``. Thresholds are module constants, documented in docs/flows.md.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

VOLUME_HISTORY = 7  # previous successful runs the volume check compares against
VOLUME_MIN_HISTORY = 3  # fewer runs than this and the first (full) crawl would set "usual"
VOLUME_MIN_TYPICAL = 10  # below this typical volume a drop is noise, not news
VOLUME_DROP_RATIO = 0.3  # warn when a run brings fewer than 30 % of its usual items
PARSE_ERROR_WARN = 0.10  # warn when more than 10 % of a run's items/pages failed …
PARSE_ERROR_RISE = 2.0  # … and that share is at least twice the previous runs' share


@dataclass(frozen=True)
class CheckResult:
    """One check on one subject (a source id, a mart, or ``*``)."""

    check_name: str
    subject: str
    status: str  # pass | warn | fail
    value: float | None = None
    threshold: float | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _latest_runs(con: Any, source_ids: list[str], since: datetime | None) -> dict[str, tuple[Any, ...]]:
    """The newest crawl run per source, started at or after ``since`` when given."""
    rows = con.execute(
        "select source_id, run_id, started_at, status, n_items, n_errors from crawl_runs"
        " where source_id in (select unnest(?)) and (? is null or started_at >= ?)"
        " qualify row_number() over (partition by source_id order by started_at desc, run_id desc) = 1",
        [source_ids, since, since],
    ).fetchall()
    return {r[0]: r for r in rows}


def _history(con: Any, source_id: str, before: Any) -> list[tuple[int, int]]:
    rows = con.execute(
        "select c.n_items, c.n_errors from crawl_runs as c left join crawl_run_files as f on f.run_id = c.run_id"
        " where c.source_id = ? and c.started_at < ? and c.status in ('success', 'partial')"
        " and not coalesce(f.is_full, false) order by c.started_at desc limit ?",
        [source_id, before, VOLUME_HISTORY],
    ).fetchall()
    return [(int(a or 0), int(b or 0)) for a, b in rows]


def check_crawls(con: Any, source_ids: list[str], since: datetime | None = None) -> list[CheckResult]:
    """Per source: the run failed, its volume dropped far below usual, or its error share is rising."""
    out: list[CheckResult] = []
    latest = _latest_runs(con, source_ids, since)
    for source_id in source_ids:
        run = latest.get(source_id)
        if run is None:
            out.append(CheckResult("crawl_status", source_id, "warn", message="no crawl run recorded in this flow"))
            continue
        _, run_id, started_at, status, n_items, n_errors = run
        n_items, n_errors = int(n_items or 0), int(n_errors or 0)
        ok = status in ("success", "partial")
        out.append(CheckResult("crawl_status", source_id, "pass" if ok else "fail", message=f"{run_id}: {status}"))
        history = _history(con, source_id, started_at)
        typical = statistics.median([h[0] for h in history]) if history else None
        if typical is not None and len(history) >= VOLUME_MIN_HISTORY and typical >= VOLUME_MIN_TYPICAL and ok:
            ratio = n_items / typical
            drop = ratio < VOLUME_DROP_RATIO
            out.append(
                CheckResult(
                    "volume_drop", source_id, "warn" if drop else "pass", round(ratio, 3), VOLUME_DROP_RATIO,
                    f"{n_items} items vs a median of {typical:g} over the last {len(history)} runs",
                )
            )  # fmt: skip
        share = n_errors / (n_items + n_errors) if n_items + n_errors else 0.0
        past = [e / (i + e) for i, e in history if i + e]
        past_share = statistics.mean(past) if past else 0.0
        rising = share > PARSE_ERROR_WARN and share >= PARSE_ERROR_RISE * past_share
        out.append(
            CheckResult(
                "parse_error_share", source_id, "warn" if rising else "pass", round(share, 4), PARSE_ERROR_WARN,
                f"{n_errors} errors for {n_items} items (previous runs: {past_share:.1%})",
            )
        )  # fmt: skip
    return out


def check_empty_text(con: Any, since: datetime | None = None) -> list[CheckResult]:
    """Reviews stored with an empty or whitespace-only text (seen since ``since``): a parser lost the body field."""
    rows = con.execute(
        "select coalesce(source_id, '?'), count(*) filter (where text is null or length(trim(text)) = 0), count(*)"
        " from reviews where (? is null or last_seen_at >= ?) group by all order by 1",
        [since, since],
    ).fetchall()
    out = []
    for source_id, n_empty, n in rows:
        share = n_empty / n if n else 0.0
        out.append(
            CheckResult(
                "empty_text", source_id, "fail" if n_empty else "pass", round(share, 4), 0.0,
                f"{n_empty} of {n} reviews have no text",
            )
        )  # fmt: skip
    return out


def check_marts(con: Any) -> list[CheckResult]:
    """Every mart contract (unique key, not-null, accepted values, ranges) from :mod:`warehouse.marts`."""
    from warehouse.marts import check_contracts

    violations = check_contracts(con)
    if not violations:
        return [CheckResult("mart_contract", "*", "pass", message="all mart contracts hold")]
    return [
        CheckResult("mart_contract", f"{v.mart}.{v.column}"[:200], "fail", float(v.n_rows), 0.0, str(v))
        for v in violations
    ]


def run_checks(con: Any, source_ids: list[str], since: datetime | None = None) -> list[CheckResult]:
    """All checks of a nightly run."""
    return [*check_crawls(con, source_ids, since), *check_empty_text(con, since), *check_marts(con)]


def record_checks(con: Any, flow_run_id: str, results: list[CheckResult], now: datetime | None = None) -> None:
    """Store the results (re-recording the same flow run replaces its rows)."""
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
    seen: set[tuple[str, str]] = set()
    rows = []
    for r in results:
        key = (r.check_name, r.subject)
        if key in seen:  # two violations on one column collapse into one row; the message keeps the first
            continue
        seen.add(key)
        rows.append([flow_run_id, r.check_name, r.subject, r.status, r.value, r.threshold, r.message[:1000], stamp])
    con.execute("delete from data_quality_checks where flow_run_id = ?", [flow_run_id])
    if rows:
        con.executemany("insert into data_quality_checks values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
