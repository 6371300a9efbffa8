"""Every index formula of docs/metrics.md on numbers worked out by hand (the workings are in the comments).

The indices are computed in SQL only (warehouse/sql/macros.sql, used by the survey marts), so these tests evaluate
the macros, and the CSI-weight view int_survey_csi_weights itself, on literal inputs in an in-memory DuckDB. The
helpers below return NPS in points and shares in percent, as the figures are written.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from types import SimpleNamespace

import duckdb
import pytest

from warehouse.marts import SQL_DIR, _strip_comments

SQL = duckdb.connect()  # plain: the macros evaluated on literals, no warehouse
SQL.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))
WEIGHTS_VIEW = _strip_comments((SQL_DIR / "intermediate" / "int_survey_csi_weights.sql").read_text(encoding="utf-8"))

Scores = Sequence[float | None]


def _one(sql: str, params: dict[str, object]) -> tuple:  # type: ignore[type-arg]
    row = SQL.execute(sql, params).fetchone()
    assert row is not None
    return row


def _pts(x: float | None) -> float | None:
    return None if x is None else 100 * x


def nps(scores: Scores) -> SimpleNamespace:
    """mart_survey_indices' NPS of one group: counts by nps_group, then nps_value / nps_se / nps_ci_low / _high."""
    row = _one(
        """
        with t as (select unnest(cast($s as double[])) as s),
        c as (select count(s) as n, count_if(nps_group(s) = 'promoter') as p, count_if(nps_group(s) = 'passive') as pa,
                     count_if(nps_group(s) = 'detractor') as d from t)
        select n, p, pa, d, nps_value(p, d, n), nps_se(p, d, n), nps_ci_low(p, d, n), nps_ci_high(p, d, n) from c
        """,
        {"s": list(scores)},
    )
    n, n_p, n_pa, n_d, value, se, low, high = row
    return SimpleNamespace(
        n=n, n_promoters=n_p, n_passives=n_pa, n_detractors=n_d, nps=_pts(value), se=_pts(se), ci_low=_pts(low),
        ci_high=_pts(high),
    )  # fmt: skip


def share_at_least(scores: Scores, threshold: float) -> SimpleNamespace:
    """CSAT / CES as the mart has them: answers at or above the threshold over the answered (share_of), and the mean."""
    n, mean, share = _one(
        "with t as (select unnest(cast($s as double[])) as s) "
        "select count(s), avg(s), share_of(count_if(s >= $min), count(s)) from t",
        {"s": list(scores), "min": threshold},
    )
    return SimpleNamespace(n=n, mean=mean, share=_pts(share))


def csat(scores: Scores, satisfied_min: float = 4) -> SimpleNamespace:
    return share_at_least(scores, satisfied_min)


def ces(scores: Scores, easy_min: float = 5) -> SimpleNamespace:
    return share_at_least(scores, easy_min)


def nsat(scores: Scores, scale_min: float = 1, scale_max: float = 5) -> float | None:
    (value,) = _one(
        "with t as (select unnest(cast($s as double[])) as s) "
        "select nsat(count_if(s >= $max), count_if(s <= $min + 1), count(s)) from t",
        {"s": list(scores), "min": scale_min, "max": scale_max},
    )
    return value  # type: ignore[no-any-return]


def cdsat(scores: Scores, scale_min: float = 1) -> float | None:
    (value,) = _one(
        "with t as (select unnest(cast($s as double[])) as s) "
        "select share_of(count_if(s <= $min + 1), count(s)) from t",
        {"s": list(scores), "min": scale_min},
    )
    return _pts(value)


def csi(means: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float | None:
    """csi_of over the factors that have a mean and a weight (no weights: every factor weighs 1)."""
    rows = [(f, m, 1.0 if weights is None else weights[f]) for f, m in means.items() if m is not None]
    rows = [r for r in rows if weights is None or r[0] in weights]
    (value,) = _one(
        "select csi_of(w, m) from (select unnest($m) as m, unnest($w) as w)",
        {"m": [r[1] for r in rows], "w": [r[2] for r in rows]},
    )
    return value  # type: ignore[no-any-return]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    (value,) = _one("select importance_corr(x, y) from (select unnest($x) as x, unnest($y) as y)", {"x": xs, "y": ys})
    return value  # type: ignore[no-any-return]


@pytest.fixture
def weights_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """int_survey_csi_weights' inputs as empty tables; fill them and select from the view's SQL."""
    con = SQL.cursor()
    con.execute("create or replace temp table stg_survey_factor_ratings (survey_id varchar, respondent_id varchar, "
                "factor varchar, rating_norm double, importance double)")  # fmt: skip
    con.execute("create or replace temp table stg_survey_factor_weights (survey_id varchar, factor varchar, "
                "declared_weight double)")  # fmt: skip
    con.execute("create or replace temp table int_survey_responses (survey_id varchar, respondent_id varchar, "
                "overall_norm double)")  # fmt: skip
    yield con
    con.close()


def csi_weights(
    con: duckdb.DuckDBPyConnection,
    ratings: Mapping[str, Sequence[float | None]],
    overall: Sequence[float | None],
    declared: Mapping[str, float] | None = None,
) -> tuple[dict[str, float], str]:
    """Weights and source of survey 's' from int_survey_csi_weights; rows of ``ratings`` align with ``overall``."""
    for i, y in enumerate(overall):
        con.execute("insert into int_survey_responses values ('s', $r, $y)", {"r": f"r{i}", "y": y})
    for factor, values in ratings.items():
        for i, x in enumerate(values):
            if x is not None:  # an unanswered factor has no rating row
                con.execute(
                    "insert into stg_survey_factor_ratings values ('s', $r, $f, $x, null)",
                    {"r": f"r{i}", "f": factor, "x": x},
                )
    for factor, w in (declared or {}).items():
        con.execute("insert into stg_survey_factor_weights values ('s', $f, $w)", {"f": factor, "w": w})
    rows = con.execute(f"select factor, weight, weight_source from ({WEIGHTS_VIEW})").fetchall()
    return {f: w for f, w, _ in rows}, rows[0][2]


# The NPS answers of the sample survey: 10 9 8 7 6 3 10 8 -> 3 promoters, 3 passives, 2 detractors, n = 8.
NPS_SCORES = [10, 9, 8, 7, 6, 3, 10, 8, None]
# Its CSAT answers (1-5): 5 4 4 3 2 1 5 4 2 -> satisfied (4-5) 5 of 9, top box (5) 2, bottom two (1-2) 3.
CSAT_SCORES = [5, 4, 4, 3, 2, 1, 5, 4, 2]
# Its CES answers (1-7): 7 6 5 4 3 2 6 5 3 -> sum 41, easy (5-7) 5 of 9.
CES_SCORES = [7, 6, 5, 4, 3, 2, 6, 5, 3]


def test_nps_counts_value_and_interval() -> None:
    r = nps(NPS_SCORES)
    assert (r.n, r.n_promoters, r.n_passives, r.n_detractors) == (8, 3, 3, 2)
    assert r.nps == pytest.approx(12.5)  # 100 * (3 - 2) / 8
    # p = 0.375, d = 0.25: var = (0.625 - 0.125^2) / 8 = 0.609375 / 8 = 0.076171875; se = 0.2759925 -> 27.59925 pts
    assert r.se == pytest.approx(27.59925, abs=1e-4)
    assert r.ci_low == pytest.approx(12.5 - 1.96 * 27.59925, abs=1e-3)  # -41.5945
    assert r.ci_high == pytest.approx(66.5945, abs=1e-3)


def test_nps_bounds_and_empty() -> None:
    assert nps([10, 10, 9]).nps == 100 and nps([10, 10, 9]).ci_high == 100  # se 0 at the extreme
    assert nps([0, 6]).nps == -100
    empty = nps([None, None])
    assert empty.n == 0 and empty.nps is None and empty.ci_low is None
    # interval clipped to [-100, 100]: 1 promoter, 1 detractor -> nps 0, se = 100 * sqrt(1/2) = 70.7 -> +-138.6
    wide = nps([10, 0])
    assert (wide.ci_low, wide.ci_high) == (-100, 100)


def test_nps_segment_boundaries() -> None:
    got = [_one("select nps_group($s)", {"s": s})[0] for s in (0, 6, 7, 8, 9, 10)]
    assert got == ["detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    assert _one("select nps_group(null)", {})[0] is None


def test_csat_share_and_mean() -> None:
    r = csat(CSAT_SCORES)
    assert r.n == 9
    assert r.share == pytest.approx(100 * 5 / 9)  # 55.56 %
    assert r.mean == pytest.approx(30 / 9)  # 3.333


def test_ces_mean_and_share_easy() -> None:
    r = ces(CES_SCORES)
    assert r.mean == pytest.approx(41 / 9)  # 4.556
    assert r.share == pytest.approx(100 * 5 / 9)
    assert ces([1, 2, 4, 5], easy_min=4).share == 50  # a 1-5 CES with easy = 4-5


def test_nsat_and_cdsat() -> None:
    # NSAT = 100 * (2/9 - 3/9) + 100 = 88.89; CD-SAT = 100 * 3/9 = 33.33
    assert nsat(CSAT_SCORES) == pytest.approx(100 - 100 / 9)
    assert cdsat(CSAT_SCORES) == pytest.approx(100 / 3)
    assert nsat([5, 5]) == 200 and nsat([1, 2]) == 0 and nsat([3]) == 100
    # a 1-10 scale: top box 10, bottom two 1-2
    assert nsat([10, 9, 2], 1, 10) == pytest.approx(100 + 100 / 3 - 100 / 3)
    assert cdsat([]) is None and nsat([None]) is None


def test_csi_with_declared_weights(weights_con: duckdb.DuckDBPyConnection) -> None:
    # sample survey: product mean 31/9 on 1-5 -> (31/9 - 1) / 4 = 22/36; service 24/36; price 27.5/9 -> 18.5/36
    means = {"product": 22 / 36, "service": 24 / 36, "price": 18.5 / 36}
    # 100 * (0.5 * 22 + 0.3 * 24 + 0.2 * 18.5) / 36 = 100 * 21.9 / 36 = 60.8333
    assert csi(means, {"product": 0.5, "service": 0.3, "price": 0.2}) == pytest.approx(60.8333, abs=1e-4)
    # declared weights win over correlation (and are normalised: 5/3/2 -> 0.5/0.3/0.2)
    ratings = {"product": [0.0, 0.5, 1.0], "service": [1.0, 0.5, 0.0], "price": [0.5, 0.5, 1.0]}
    w, source = csi_weights(weights_con, ratings, [0.0, 0.5, 1.0], {"product": 5, "service": 3, "price": 2})
    assert source == "declared" and w == pytest.approx({"product": 0.5, "service": 0.3, "price": 0.2})


def test_csi_weights_are_normalised_and_missing_factors_dropped() -> None:
    # weights 5/3/2 are the same as 0.5/0.3/0.2; without price the rest re-normalise to 5/8 and 3/8
    assert csi({"a": 1.0, "b": 0.0}, {"a": 5, "b": 3, "c": 2}) == pytest.approx(100 * 5 / 8)
    assert csi({"a": 0.5, "b": 1.0}) == pytest.approx(75)  # equal weights
    assert csi({"a": 0.5, "b": None}) == pytest.approx(50)  # nobody rated b in this group
    assert csi({}) is None


def test_correlation_weights_by_hand(weights_con: duckdb.DuckDBPyConnection) -> None:
    # y = 0, .25, .75, 1. a = 0 0 1 1: r = 0.75 / sqrt(0.625); b = 0 1 0 1: r = 0.25 / sqrt(0.625) -> weights 3:1.
    # c = 1 1 0 0 correlates negatively: clipped to weight 0. d has a gap (None) and is constant on the rest: 0.
    overall = [0.0, 0.25, 0.75, 1.0]
    ratings = {"a": [0.0, 0.0, 1.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0], "c": [1.0, 1.0, 0.0, 0.0], "d": [None, 1, 1, 1]}
    assert pearson(ratings["a"], overall) == pytest.approx(0.75 / math.sqrt(0.625))
    w, source = csi_weights(weights_con, ratings, overall)
    assert source == "correlation"
    assert w == pytest.approx({"a": 0.75, "b": 0.25, "c": 0.0, "d": 0.0})
    # CSI with these weights and means a = 0.8, b = 0.4: 100 * (0.75 * 0.8 + 0.25 * 0.4) = 70
    assert csi({"a": 0.8, "b": 0.4, "c": 1.0}, w) == pytest.approx(70)


def test_equal_weights_without_positive_correlation(weights_con: duckdb.DuckDBPyConnection) -> None:
    # a correlates -1 with overall satisfaction: no factor correlates positively -> equal weights
    assert csi_weights(weights_con, {"a": [1.0, 0.0, 0.5]}, [0.0, 1.0, 0.5]) == ({"a": pytest.approx(1.0)}, "equal")
    assert pearson([1, 2], [1, 2]) is None  # fewer than 3 pairs


def test_nps_change_by_hand() -> None:
    # Q1 of the sample: 10 9 8 7 6 3 -> p = d = 1/3, NPS 0, var = (2/3 - 0) / 6 = 1/9 -> SE 33.33 points
    # Q2: 10 8 -> p = 1/2, d = 0, NPS 50, var = (1/2 - 1/4) / 2 = 1/8 -> SE 35.36 points
    q1, q2 = nps([10, 9, 8, 7, 6, 3]), nps([10, 8])
    assert (q1.se, q2.se) == pytest.approx((100 / 3, 100 * math.sqrt(1 / 8)))
    # as mart_survey_indices: change = nps - previous nps, SE = sqrt(se^2 + previous se^2), p = nps_change_p_value
    change, se = q2.nps - q1.nps, math.sqrt(q1.se**2 + q2.se**2)
    assert se == pytest.approx(100 * math.sqrt(1 / 9 + 1 / 8))  # 48.59
    (p_value,) = _one("select nps_change_p_value($c, $se)", {"c": change / 100, "se": se / 100})
    assert change == pytest.approx(50)
    assert p_value == pytest.approx(0.3035, abs=1e-4)  # two-sided, z = 50 / 48.59 = 1.029
    assert nps([]).nps is None  # no answers, no change
    flat_before, flat_after = nps([10]), nps([9, 10])  # 100 then 100: both SEs 0, no test
    assert (flat_after.nps - flat_before.nps, flat_before.se, flat_after.se) == (0, 0, 0)
    assert _one("select nps_change_p_value(0.0, 0.0)", {})[0] is None
