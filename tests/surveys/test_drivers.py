"""Shapley value regression on data whose R² split is known by hand, and the fix-first list."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from warehouse.surveys.drivers import MAX_DRIVERS, analyse, r_squared, run_driver_analysis, shapley_r2
from warehouse.surveys.importer import ImportResult

# Three mutually orthogonal, centred +-1 columns: with orthogonal predictors each one's Shapley value is its own R².
X1 = [1, 1, -1, -1, 1, 1, -1, -1]
X2 = [1, -1, 1, -1, 1, -1, 1, -1]
X3 = [1, -1, -1, 1, 1, -1, -1, 1]


def test_shapley_orthogonal_by_hand() -> None:
    x = np.column_stack([X1, X2, X3]).astype(float)
    y = 2 * x[:, 0] + 1 * x[:, 1] + 0.5 * x[:, 2]
    # var(y) = 4 + 1 + 0.25 = 5.25: R² shares 4/5.25, 1/5.25, 0.25/5.25; the model explains everything (R² = 1)
    assert r_squared(x, y) == pytest.approx(1)
    assert shapley_r2(x, y) == pytest.approx([4 / 5.25, 1 / 5.25, 0.25 / 5.25])


def test_shapley_two_correlated_predictors() -> None:
    # with two predictors the Shapley formula reduces to phi_1 = (R²(1) + R²(12) - R²(2)) / 2 (and symmetrically)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 2))
    x[:, 1] += 0.8 * x[:, 0]
    y = x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=40)
    r1, r2_, r12 = r_squared(x[:, [0]], y), r_squared(x[:, [1]], y), r_squared(x, y)
    phi = shapley_r2(x, y)
    assert phi == pytest.approx([(r1 + r12 - r2_) / 2, (r2_ + r12 - r1) / 2])
    assert phi.sum() == pytest.approx(r12)  # efficiency: the shares add up to the full R²


def test_r_squared_by_hand() -> None:
    # y = 1 2 3 5 on x = 1 2 3 4: fit 1.3 x - 0.5 -> residuals 0.2 -0.1 -0.4 0.3, SSE 0.30, SST 8.75
    assert r_squared(np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([1.0, 2.0, 3.0, 5.0])) == pytest.approx(
        1 - 0.30 / 8.75
    )
    assert r_squared(np.zeros((4, 0)), np.array([1.0, 2, 3, 4])) == 0
    assert r_squared(np.array([[1.0], [2], [3]]), np.array([2.0, 2, 2])) == 0


def test_fix_first_ranks_important_weak_factors_and_negative_topics() -> None:
    # NPS = 10 * (0.5 * product + 0.5 * service) - 4 * mentions_price; product is rated low (mean 0.25), service high
    product = np.array([0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5])
    service = np.array([1, 0.5, 1, 0.5, 1, 0.5, 1, 0.5])
    price_topic = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=float)
    delivery_topic = np.array([0, 1, 0, 1, 1, 0, 1, 0], dtype=float)  # no effect, uncorrelated
    x = np.column_stack([product, service, price_topic, delivery_topic])
    y = 10 * (0.5 * product + 0.5 * service) - 4 * price_topic + 5
    result = analyse(x, y, ["product", "service", "price", "delivery"], ["factor", "factor", "topic", "topic"])
    assert result.r2 == pytest.approx(1)
    by = {d.driver: d for d in result.drivers}
    assert by["delivery"].importance == pytest.approx(0, abs=1e-12) and by["delivery"].fix_rank is None
    assert by["price"].direction == -1 and by["product"].direction == 1
    assert [by[n].importance for n in ("product", "service", "price")] == pytest.approx(list(shapley_r2(x, y)[:3]))
    assert by["product"].performance == pytest.approx(0.25) and by["price"].performance == pytest.approx(0.5)
    # priorities: product share * 0.75, service share * 0.25, price share * 0.5
    expected = sorted(
        ["product", "service", "price"],
        key=lambda n: -by[n].share_importance * {"product": 0.75, "service": 0.25, "price": 0.5}[n],
    )
    assert [d.driver for d in result.fix_first()] == expected
    assert [d.fix_rank for d in result.fix_first()] == [1, 2, 3]


def test_too_many_drivers_or_too_few_rows() -> None:
    with pytest.raises(ValueError, match="at most"):
        shapley_r2(np.zeros((40, MAX_DRIVERS + 1)), np.zeros(40))
    with pytest.raises(ValueError, match="too few"):
        analyse(np.zeros((3, 2)), np.zeros(3), ["a", "b"], ["factor", "factor"])


def test_run_on_the_sample_stores_results(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    result = run_driver_analysis(con, "cx-2024-h1", "nps")
    assert result.n_respondents == 8  # r08 has no NPS (its 11 was dropped)
    assert {d.driver for d in result.drivers} == {"product", "service", "price"}
    assert sum(d.importance for d in result.drivers) == pytest.approx(result.r2)
    stored = con.execute(
        "select driver, importance, r2, n_respondents from survey_drivers where survey_id = 'cx-2024-h1'"
    ).fetchall()
    assert len(stored) == 3 and all(r[3] == 8 for r in stored)
    again = run_driver_analysis(con, "cx-2024-h1", "csat")  # CSAT: all 9 respondents
    assert again.n_respondents == 9
    assert con.execute("select count(*) from survey_drivers").fetchone() == (6,)
