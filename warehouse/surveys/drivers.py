"""Driver analysis: which CSI factors and open-text topics move overall NPS or CSAT, and what to fix first.

Relative importance is Shapley value regression (equal to general dominance): each driver's share of the R² of an OLS
model, averaged over every order in which drivers could enter. Unlike raw coefficients it stays meaningful when
factors correlate, which survey factors always do. All 2^p subsets are fitted, so p is capped (``MAX_DRIVERS``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb
import numpy as np

MAX_DRIVERS = 14
Target = Literal["nps", "csat"]


@dataclass(frozen=True)
class Driver:
    """One driver's importance; ``fix_rank`` 1 is the first thing to fix (None: not a fix candidate)."""

    driver: str
    kind: str  # factor | topic
    importance: float  # Shapley share of R², in R² units
    share_importance: float  # importance / R²
    direction: float  # sign of the full-model coefficient
    performance: float  # factor: mean rating 0..1; topic: share of respondents mentioning it
    priority: float | None
    fix_rank: int | None


@dataclass(frozen=True)
class DriverAnalysis:
    survey_id: str
    target: str
    r2: float
    n_respondents: int
    drivers: list[Driver]

    def fix_first(self) -> list[Driver]:
        """Fix candidates in order: under-performing factors and negative topics that matter most."""
        return sorted((d for d in self.drivers if d.fix_rank is not None), key=lambda d: d.fix_rank or 0)


def r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R² of OLS with an intercept (0 for no predictors or a constant target)."""
    if x.shape[1] == 0:
        return 0.0
    sst = float(((y - y.mean()) ** 2).sum())
    if sst == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return max(0.0, 1.0 - float((resid**2).sum()) / sst)


def shapley_r2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapley decomposition of R²: phi_j = sum over S not holding j of |S|!(p-|S|-1)!/p! * (R²(S+j) - R²(S))."""
    p = x.shape[1]
    if p > MAX_DRIVERS:
        raise ValueError(f"{p} drivers: Shapley regression fits 2^p models; keep at most {MAX_DRIVERS}")
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        cols = [j for j in range(p) if mask >> j & 1]
        r2[mask] = r_squared(x[:, cols], y)
    fact = [math.factorial(k) for k in range(p + 1)]
    phi = np.zeros(p)
    for mask in range(1 << p):
        size = bin(mask).count("1")
        for j in range(p):
            if not mask >> j & 1:
                weight = fact[size] * fact[p - size - 1] / fact[p]
                phi[j] += weight * (r2[mask | 1 << j] - r2[mask])
    return phi


def analyse(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    kinds: Sequence[str],
    *,
    survey_id: str = "",
    target: str = "nps",
) -> DriverAnalysis:
    """Importance, direction, performance and the fix-first rank for a prepared matrix (rows = respondents).

    Factor columns are ratings normalised to 0..1; topic columns are 0/1 mentions. Priority: a factor with a
    positive effect scores ``share_importance * (1 - mean rating)`` (important and under-performing); a topic with a
    negative effect scores ``share_importance * share mentioning`` (important and frequent). Others are not ranked.
    """
    if len(y) < x.shape[1] + 2:
        raise ValueError(f"{len(y)} complete respondents for {x.shape[1]} drivers: too few for a regression")
    phi = shapley_r2(x, y)
    total = r_squared(x, y)
    design = np.column_stack([np.ones(len(y)), x])
    coef = np.linalg.lstsq(design, y, rcond=None)[0][1:]
    drivers = []
    for j, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        share = float(phi[j] / total) if total > 0 else 0.0
        direction = float(np.sign(round(float(coef[j]), 12)))
        performance = float(x[:, j].mean())
        priority = None
        if kind == "factor" and direction > 0:
            priority = share * (1 - performance)
        elif kind == "topic" and direction < 0:
            priority = share * performance
        drivers.append(Driver(name, kind, float(phi[j]), share, direction, performance, priority, None))
    ranked = sorted((d for d in drivers if d.priority and d.priority > 0), key=lambda d: -(d.priority or 0))
    rank = {(d.kind, d.driver): i for i, d in enumerate(ranked, start=1)}  # a topic may share a factor's name
    drivers = [Driver(**{**d.__dict__, "fix_rank": rank.get((d.kind, d.driver))}) for d in drivers]
    drivers.sort(key=lambda d: -d.importance)
    return DriverAnalysis(survey_id, target, total, len(y), drivers)


def driver_matrix(
    con: duckdb.DuckDBPyConnection, survey_id: str, target: Target = "nps", *, min_topic_mentions: int = 3
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Respondents with the target and every factor rated; topics mentioned by at least ``min_topic_mentions``.

    Topics are the most frequent ones that fit under ``MAX_DRIVERS`` after the factors.
    """
    column = {"nps": "nps_score", "csat": "csat_score"}[target]
    targets = dict(
        con.execute(
            f"select respondent_id, {column} from survey_responses where survey_id = ? and {column} is not null",
            [survey_id],
        ).fetchall()
    )
    ratings: dict[str, dict[str, float]] = defaultdict(dict)
    for rid, factor, norm in con.execute(
        "select respondent_id, factor, (rating - rating_min) / (rating_max - rating_min) from survey_factor_ratings "
        "where survey_id = ?",
        [survey_id],
    ).fetchall():
        ratings[rid][factor] = norm
    factors = sorted({f for r in ratings.values() for f in r})
    mentions: dict[str, set[str]] = defaultdict(set)
    for rid, topic in con.execute(
        "select distinct respondent_id, topic_id from survey_answer_topics where survey_id = ?", [survey_id]
    ).fetchall():
        mentions[rid].add(topic)
    rows = [rid for rid in sorted(targets) if all(f in ratings.get(rid, {}) for f in factors)]
    counts = Counter(t for rid in rows for t in mentions.get(rid, ()))
    room = max(MAX_DRIVERS - len(factors), 0)
    topics = sorted(t for t, c in counts.most_common(room) if c >= min_topic_mentions)
    x = np.array(
        [
            [ratings[rid][f] for f in factors] + [1.0 if t in mentions.get(rid, ()) else 0.0 for t in topics]
            for rid in rows
        ],
        dtype=float,
    ).reshape(len(rows), len(factors) + len(topics))
    y = np.array([targets[rid] for rid in rows], dtype=float)
    return x, y, factors + topics, ["factor"] * len(factors) + ["topic"] * len(topics)


def run_driver_analysis(
    con: duckdb.DuckDBPyConnection,
    survey_id: str,
    target: Target = "nps",
    *,
    min_topic_mentions: int = 3,
    now: datetime | None = None,
) -> DriverAnalysis:
    """Analyse one survey and replace its stored results in ``survey_drivers`` (one transaction)."""
    x, y, names, kinds = driver_matrix(con, survey_id, target, min_topic_mentions=min_topic_mentions)
    if not names:
        raise ValueError(f"survey {survey_id!r}: no factor ratings or frequent topics to analyse")
    result = analyse(x, y, names, kinds, survey_id=survey_id, target=target)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        con.execute("delete from survey_drivers where survey_id = ? and target = ?", [survey_id, target])
        con.executemany(
            "insert into survey_drivers values (?, ?, ?, ?, 'shapley', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    survey_id,
                    target,
                    d.driver,
                    d.kind,
                    d.importance,
                    d.share_importance,
                    d.direction,
                    d.performance,
                    d.priority,
                    d.fix_rank,
                    result.r2,
                    result.n_respondents,
                    now,
                )
                for d in result.drivers
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result
