"""Indices per survey, period and one dimension (segment, channel or touchpoint), read from ``mart_survey_indices``.

This is what ``molva surveys indices`` prints. The indices are computed in one place, the SQL marts
(``warehouse/sql/marts/mart_survey_indices.sql`` with the formulas as macros in ``warehouse/sql/macros.sql``); this
module only reads them, building the marts first when asked (:func:`ensure_survey_marts`), and converts shares to
percent and NPS to points for display. Per-group CSI uses the importance weights of ``int_survey_csi_weights``
(declared, respondent-given, or correlation-derived over all respondents of the survey), so groups are compared on
the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import duckdb

Dimension = Literal["all", "segment", "channel", "touchpoint"]
Period = Literal["all", "day", "week", "month", "quarter", "year"]
DIMENSIONS: tuple[str, ...] = ("all", "segment", "channel", "touchpoint")
PERIODS: tuple[str, ...] = ("all", "day", "week", "month", "quarter", "year")
SURVEY_MARTS: tuple[str, ...] = ("mart_survey_indices", "mart_survey_topics_nps", "mart_survey_factors")
NO_PERIOD = date(1, 1, 1)  # mart_survey_indices.period_start of grain 'all' and of undated responses


@dataclass(frozen=True)
class NpsResult:
    """NPS in points (-100..100) with its 95 % interval, and the answer counts behind it."""

    n: int
    n_promoters: int
    n_passives: int
    n_detractors: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ScaleResult:
    """Mean score and the share (%) of answers at or above a threshold (CSAT "satisfied", CES "easy")."""

    n: int
    mean: float | None
    share: float | None


@dataclass(frozen=True)
class IndexRow:
    """All indices of one group. ``period_start`` is None for period 'all' or for undated responses."""

    survey_id: str
    period_start: date | None
    dimension: str
    value: str | None
    n: int
    nps: NpsResult
    csat: ScaleResult
    ces: ScaleResult
    nsat: float | None
    cdsat: float | None
    csi: float | None


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() and table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def ensure_survey_marts(
    con: duckdb.DuckDBPyConnection,
    *,
    rebuild: bool = True,
    sentiment_model: str | None = None,
    timezone: str = "UTC",
) -> bool:
    """Build the marts (all of them, one transaction, :func:`warehouse.marts.build_marts`) when ``rebuild`` is set
    or a survey mart is missing. Returns whether it built."""
    if not rebuild and all(_has_table(con, name) for name in SURVEY_MARTS):
        return False
    from warehouse.marts import build_marts

    build_marts(con, sentiment_model=sentiment_model, timezone=timezone)
    return True


def survey_weights(con: duckdb.DuckDBPyConnection, survey_id: str) -> tuple[dict[str, float] | None, str]:
    """CSI importance weights of a survey and where they come from (declared > respondent > correlation > equal),
    as ``int_survey_csi_weights`` computes them (the view exists once the marts are built)."""
    rows = con.execute(
        "select factor, weight, weight_source from int_survey_csi_weights where survey_id = $survey_id",
        {"survey_id": survey_id},
    ).fetchall()
    if not rows:
        return None, "equal"
    return {factor: float(weight) for factor, weight, _ in rows}, str(rows[0][2])


def read_indices(
    con: duckdb.DuckDBPyConnection,
    *,
    survey_id: str | None = None,
    dimension: str = "all",
    period: str = "all",
) -> list[IndexRow]:
    """Indices for every (survey, period, dimension value) group of the built mart, sorted by survey, period (undated
    first) and value. Percent and points, as ``molva surveys indices`` prints them."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; use one of {', '.join(DIMENSIONS)}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    params: dict[str, Any] = {"grain": period, "dimension": dimension}
    where = ""
    if survey_id:
        where, params["survey_id"] = " and survey_id = $survey_id", survey_id
    rows = con.execute(
        "select survey_id, period_start, is_undated, dimension_value, n_responses, "
        "n_nps, n_promoters, n_passives, n_detractors, nps, nps_ci_low, nps_ci_high, "
        "n_csat, csat_mean, csat, n_ces, ces_mean, share_ces_easy, nsat, cdsat, csi "
        f"from mart_survey_indices where period_grain = $grain and dimension = $dimension{where} "
        "order by survey_id, is_undated desc, period_start, dimension_value",
        params,
    ).fetchall()
    out = []
    for r in rows:
        sid, start, undated, value, n, n_nps, n_p, n_pa, n_d, nps, low, high = r[:12]
        n_csat, csat_mean, csat, n_ces, ces_mean, ces_easy, nsat, cdsat, csi = r[12:]
        out.append(
            IndexRow(
                survey_id=sid,
                period_start=None if period == "all" or undated else start,
                dimension=dimension,
                value=value,
                n=n,
                nps=NpsResult(n_nps, n_p, n_pa, n_d, _pct(nps), _pct(low), _pct(high)),
                csat=ScaleResult(n_csat, csat_mean, _pct(csat)),
                ces=ScaleResult(n_ces, ces_mean, _pct(ces_easy)),
                nsat=nsat,
                cdsat=_pct(cdsat),
                csi=csi,
            )
        )
    return out
