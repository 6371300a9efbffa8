"""Indices per survey, period and one dimension (segment, channel or touchpoint), read from the warehouse.

This is what ``molva surveys indices`` prints. Per-group CSI uses importance weights computed once per survey (declared,
respondent-given, or correlation-derived over all its respondents) so groups are compared on the same weights.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import duckdb

from warehouse.surveys import indices as ix

Dimension = Literal["all", "segment", "channel", "touchpoint"]
Period = Literal["all", "day", "week", "month", "quarter", "year"]
DIMENSIONS: tuple[str, ...] = ("all", "segment", "channel", "touchpoint")
PERIODS: tuple[str, ...] = ("all", "day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class IndexRow:
    """All indices of one group. ``period_start`` is None for period 'all' or for undated responses."""

    survey_id: str
    period_start: date | None
    dimension: str
    value: str | None
    n: int
    nps: ix.NpsResult
    csat: ix.ScaleResult
    ces: ix.ScaleResult
    nsat: float | None
    cdsat: float | None
    csi: float | None


@dataclass
class _Survey:
    csat_min: float
    csat_max: float
    satisfied_min: float
    ces_min: float
    ces_max: float
    easy_min: float


def period_start(at: datetime | None, period: str) -> date | None:
    """First day of the period holding ``at`` (weeks start on Monday, quarters on Jan/Apr/Jul/Oct 1)."""
    if at is None or period == "all":
        return None
    d = at.date()
    if period == "day":
        return d
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    if period == "year":
        return date(d.year, 1, 1)
    raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")


def survey_weights(con: duckdb.DuckDBPyConnection, survey_id: str) -> tuple[dict[str, float] | None, str]:
    """CSI importance weights of a survey and where they come from (declared > respondent > correlation > equal)."""
    declared = dict(
        con.execute("select factor, weight from survey_factor_weights where survey_id = ?", [survey_id]).fetchall()
    )
    if declared:
        return ix.normalise_weights(declared), "declared"
    given = dict(
        con.execute(
            "select factor, avg(importance) from survey_factor_ratings where survey_id = ? and importance is not null "
            "group by factor",
            [survey_id],
        ).fetchall()
    )
    if given and sum(given.values()) > 0:
        return ix.normalise_weights(given), "respondent"
    rows = con.execute(
        """
        select r.respondent_id, f.factor, (f.rating - f.rating_min) / (f.rating_max - f.rating_min),
               coalesce(r.overall_sat, (r.csat_score - s.csat_min) / (s.csat_max - s.csat_min), r.nps_score / 10)
        from survey_factor_ratings f
        join survey_responses r using (survey_id, respondent_id)
        join surveys s using (survey_id)
        where f.survey_id = ?
        order by r.respondent_id
        """,
        [survey_id],
    ).fetchall()
    respondents = sorted({r[0] for r in rows})
    pos = {rid: i for i, rid in enumerate(respondents)}
    overall: list[float | None] = [None] * len(respondents)
    ratings: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(respondents))
    for rid, factor, norm, over in rows:
        ratings[factor][pos[rid]] = norm
        overall[pos[rid]] = over
    weights = ix.correlation_weights(ratings, overall) if ratings else None
    return (weights, "correlation") if weights else (None, "equal")


def compute_indices(
    con: duckdb.DuckDBPyConnection,
    *,
    survey_id: str | None = None,
    dimension: str = "all",
    period: str = "all",
) -> list[IndexRow]:
    """Indices for every (survey, period, dimension value) group, sorted by survey, period and value."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; use one of {', '.join(DIMENSIONS)}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    where, params = ("where survey_id = ?", [survey_id]) if survey_id else ("", [])
    surveys = {
        row[0]: _Survey(*row[1:])
        for row in con.execute(
            "select survey_id, csat_min, csat_max, csat_satisfied_min, ces_min, ces_max, ces_easy_min "
            f"from surveys {where}",
            params,
        ).fetchall()
    }
    dim_col = "null" if dimension == "all" else dimension
    responses = con.execute(
        f"select survey_id, respondent_id, responded_at, {dim_col}, nps_score, csat_score, ces_score "
        f"from survey_responses {where}",
        params,
    ).fetchall()
    factors: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for sid, rid, factor, norm in con.execute(
        f"select survey_id, respondent_id, factor, (rating - rating_min) / (rating_max - rating_min) "
        f"from survey_factor_ratings {where}",
        params,
    ).fetchall():
        factors[(sid, rid)][factor] = norm

    groups: dict[tuple[str, date | None, str | None], list[tuple]] = defaultdict(list)
    for sid, rid, at, value, *scores in responses:
        groups[(sid, period_start(at, period), value)].append((rid, *scores))

    weights = {sid: survey_weights(con, sid) for sid in surveys}
    out: list[IndexRow] = []
    for (sid, start, value), members in groups.items():
        s = surveys[sid]
        csat_scores = [m[2] for m in members]
        per_factor: dict[str, list[float]] = defaultdict(list)
        for m in members:
            for factor, norm in factors.get((sid, m[0]), {}).items():
                per_factor[factor].append(norm)
        means = {f: sum(v) / len(v) for f, v in per_factor.items()}
        w, source = weights[sid]
        out.append(
            IndexRow(
                survey_id=sid,
                period_start=start,
                dimension=dimension,
                value=value,
                n=len(members),
                nps=ix.nps([m[1] for m in members]),
                csat=ix.csat(csat_scores, s.satisfied_min),
                ces=ix.ces([m[3] for m in members], s.easy_min),
                nsat=ix.nsat(csat_scores, s.csat_min, s.csat_max),
                cdsat=ix.cdsat(csat_scores, s.csat_min),
                csi=ix.csi(means, w, source).csi if means else None,
            )
        )
    return sorted(out, key=lambda r: (r.survey_id, r.period_start or date.min, r.value or ""))
