"""Indices per segment, channel, touchpoint (tNPS) and quarter on the imported sample, worked out by hand.

The nine valid respondents of survey_ru_cp1251.csv (NPS, CSAT 1-5, CES 1-7 | product, service, price 1-5):
    r01 Jan online  B2C delivery 10 5 7 | 5 5 4      r06 Mar online  B2B support   3 1 2 | 1 2 1
    r02 Jan online  B2C delivery  9 4 6 | 4 5 3      r07 Apr offline B2C store    10 5 6 | 5 4 5
    r03 Feb offline B2B store     8 4 5 | 4 4 4      r08 Apr online  B2C delivery  - 4 5 | 4 4 3
    r04 Feb offline B2B store     7 3 4 | 3 4 2      r10 Apr online  B2C support   8 2 3 | 3 2 3.5
    r05 Mar online  B2C support   6 2 3 | 2 3 2
CSI weights declared 0.5 / 0.3 / 0.2; a factor's normalised mean is (mean - 1) / 4.
The figures are read from mart_survey_indices (built on the sample), the one place they are computed.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pytest

from warehouse.surveys.importer import ImportResult, import_survey
from warehouse.surveys.mapping import SurveyMapping
from warehouse.surveys.report import IndexRow, ensure_survey_marts, read_indices, survey_weights

from .conftest import RU_CSV


def compute_indices(con: duckdb.DuckDBPyConnection, **kwargs: str) -> list[IndexRow]:
    """Build the marts on the current warehouse and read the indices, as `molva surveys indices` does."""
    ensure_survey_marts(con)
    return read_indices(con, **kwargs)


def _by_value(rows):  # type: ignore[no-untyped-def]
    return {r.value: r for r in rows}


def test_overall(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    (row,) = compute_indices(con)
    assert row.n == 9 and row.nps.n == 8
    assert row.nps.nps == pytest.approx(12.5)
    assert row.csat.share == pytest.approx(500 / 9) and row.csat.mean == pytest.approx(30 / 9)
    assert row.ces.mean == pytest.approx(41 / 9) and row.ces.share == pytest.approx(500 / 9)
    assert row.nsat == pytest.approx(100 - 100 / 9) and row.cdsat == pytest.approx(100 / 3)
    assert row.csi == pytest.approx(100 * 21.9 / 36)  # 60.83, see test_indices


def test_by_segment(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    rows = _by_value(compute_indices(con, dimension="segment"))
    b2b, b2c = rows["B2B"], rows["B2C"]
    # B2B: r03 r04 r06. NPS 8 7 3 -> 0 P, 1 D of 3; CSAT 4 3 1; CES 5 4 2
    assert b2b.nps.nps == pytest.approx(-100 / 3)
    assert (b2b.csat.share, b2b.csat.mean) == pytest.approx((100 / 3, 8 / 3))
    assert (b2b.ces.mean, b2b.ces.share) == pytest.approx((11 / 3, 100 / 3))
    assert (b2b.nsat, b2b.cdsat) == pytest.approx((100 - 100 / 3, 100 / 3))
    # product 4 3 1 -> 5/12, service 4 4 2 -> 7/12, price 4 2 1 -> 4/12: 100 * (2.5 + 2.1 + 0.8) / 12 = 45
    assert b2b.csi == pytest.approx(45)
    # B2C: r01 r02 r05 r07 r08 r10. NPS 10 9 6 10 8 -> 3 P, 1 D of 5 = 40
    assert b2c.nps.nps == pytest.approx(40)
    assert (b2c.csat.share, b2c.csat.mean) == pytest.approx((400 / 6, 22 / 6))
    assert (b2c.ces.mean, b2c.ces.share) == pytest.approx((5, 400 / 6))
    assert (b2c.nsat, b2c.cdsat) == pytest.approx((100, 100 / 3))
    # product 23/6 -> 17/24, service 23/6 -> 17/24, price 20.5/6 -> 14.5/24: 100 * 16.5 / 24 = 68.75
    assert b2c.csi == pytest.approx(68.75)


def test_by_channel(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    rows = _by_value(compute_indices(con, dimension="channel"))
    offline, online = rows["офлайн"], rows["онлайн"]
    assert (offline.n, offline.nps.nps) == (3, pytest.approx(100 / 3))  # 8 7 10
    assert (offline.csat.share, offline.csat.mean) == pytest.approx((200 / 3, 4))
    assert (offline.ces.mean, offline.ces.share) == pytest.approx((5, 200 / 3))
    assert (online.n, online.nps.nps) == (6, pytest.approx(0))  # 10 9 6 3 8: 2 P, 2 D
    assert (online.csat.share, online.csat.mean) == pytest.approx((50, 3))  # 5 4 2 1 4 2


def test_tnps_by_touchpoint(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    rows = _by_value(compute_indices(con, dimension="touchpoint"))
    assert rows["доставка"].nps.nps == pytest.approx(100)  # 10 9 (r08's 11 dropped)
    assert rows["доставка"].nps.n == 2
    assert rows["магазин"].nps.nps == pytest.approx(100 / 3)  # 8 7 10
    assert rows["поддержка"].nps.nps == pytest.approx(-200 / 3)  # 6 3 8
    assert rows["поддержка"].cdsat == pytest.approx(100)  # CSAT 2 1 2


def test_nps_by_quarter(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    q1, q2 = compute_indices(con, period="quarter")
    assert (q1.period_start, q1.n, q2.period_start, q2.n) == (date(2024, 1, 1), 6, date(2024, 4, 1), 3)
    assert q1.nps.nps == pytest.approx(0)  # 10 9 8 7 6 3: 2 P, 2 D
    assert q2.nps.nps == pytest.approx(50)  # 10 8
    # Q1 product 19/6 -> 13/24, service 23/6 -> 17/24, price 16/6 -> 10/24: 100 * 13.6 / 24
    assert q1.csi == pytest.approx(100 * 13.6 / 24)
    # Q2 product 4 -> 18/24, service 10/3 -> 14/24, price 11.5/3 -> 17/24: 100 * 16.6 / 24
    assert q2.csi == pytest.approx(100 * 16.6 / 24)


def test_periods_and_undated(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    # r07 answered on a Wednesday late evening (UTC); r08 has no date
    con.execute("update survey_responses set responded_at = '2024-05-15 23:00' where respondent_id = 'r07'")
    con.execute("update survey_responses set responded_at = null where respondent_id = 'r08'")
    want = {"day": date(2024, 5, 15), "week": date(2024, 5, 13), "month": date(2024, 5, 1),
            "quarter": date(2024, 4, 1), "year": date(2024, 1, 1)}  # fmt: skip
    ensure_survey_marts(con)
    for period, start in want.items():
        rows = read_indices(con, period=period)
        assert start in {r.period_start for r in rows}, period
        undated = rows[0]  # undated first, period_start None
        assert undated.period_start is None and undated.n == 1 and undated.nps.n == 0  # r08 has no valid NPS
        assert sum(r.n for r in rows) == 9
    (everything,) = read_indices(con, period="all")  # period 'all' counts the undated response too
    assert (everything.period_start, everything.n, everything.nps.n) == (None, 9, 8)
    assert everything.nps.nps == pytest.approx(12.5)
    with pytest.raises(ValueError, match="unknown period"):
        read_indices(con, period="fortnight")


def test_bad_dimension(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        compute_indices(con, dimension="region")


def test_correlation_importance_without_weights(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping) -> None:
    factors = {k: f.model_copy(update={"weight": None}) for k, f in ru_mapping.factors.items()}
    import_survey(con, RU_CSV, ru_mapping.model_copy(update={"factors": factors}))
    ensure_survey_marts(con)
    weights, source = survey_weights(con, "cx-2024-h1")
    assert source == "correlation"
    # overall satisfaction = CSAT normalised (no `overall` column): r01 r02 r03 r04 r05 r06 r07 r08 r10
    overall = [(c - 1) / 4 for c in (5, 4, 4, 3, 2, 1, 5, 4, 2)]
    ratings = {
        "product": [(x - 1) / 4 for x in (5, 4, 4, 3, 2, 1, 5, 4, 3)],
        "service": [(x - 1) / 4 for x in (5, 5, 4, 4, 3, 2, 4, 4, 2)],
        "price": [(x - 1) / 4 for x in (4, 3, 4, 2, 2, 1, 5, 3, 3.5)],
    }
    # Pearson r of each factor with overall (all positive here), normalised to sum 1
    r = {f: float(np.corrcoef(x, overall)[0, 1]) for f, x in ratings.items()}
    assert all(v > 0 for v in r.values())
    assert weights == pytest.approx({f: v / sum(r.values()) for f, v in r.items()})
    assert sum(weights.values()) == pytest.approx(1)  # type: ignore[union-attr]
    (row,) = compute_indices(con)
    means = {"product": 22 / 36, "service": 24 / 36, "price": 18.5 / 36}
    assert row.csi == pytest.approx(100 * sum(weights[f] * m for f, m in means.items()))  # type: ignore[index]
