"""Every index formula of docs/metrics.md on numbers worked out by hand (the workings are in the comments)."""

from __future__ import annotations

import math

import pytest

from warehouse.surveys import indices as ix

# The NPS answers of the sample survey: 10 9 8 7 6 3 10 8 -> 3 promoters, 3 passives, 2 detractors, n = 8.
NPS_SCORES = [10, 9, 8, 7, 6, 3, 10, 8, None]
# Its CSAT answers (1-5): 5 4 4 3 2 1 5 4 2 -> satisfied (4-5) 5 of 9, top box (5) 2, bottom two (1-2) 3.
CSAT_SCORES = [5, 4, 4, 3, 2, 1, 5, 4, 2]
# Its CES answers (1-7): 7 6 5 4 3 2 6 5 3 -> sum 41, easy (5-7) 5 of 9.
CES_SCORES = [7, 6, 5, 4, 3, 2, 6, 5, 3]


def test_nps_counts_value_and_interval() -> None:
    r = ix.nps(NPS_SCORES)
    assert (r.n, r.n_promoters, r.n_passives, r.n_detractors) == (8, 3, 3, 2)
    assert r.nps == pytest.approx(12.5)  # 100 * (3 - 2) / 8
    # p = 0.375, d = 0.25: var = (0.625 - 0.125^2) / 8 = 0.609375 / 8 = 0.076171875; se = 0.2759925 -> 27.59925 pts
    assert r.se == pytest.approx(27.59925, abs=1e-4)
    assert r.ci_low == pytest.approx(12.5 - 1.96 * 27.59925, abs=1e-3)  # -41.5945
    assert r.ci_high == pytest.approx(66.5945, abs=1e-3)


def test_nps_bounds_and_empty() -> None:
    assert ix.nps([10, 10, 9]).nps == 100 and ix.nps([10, 10, 9]).ci_high == 100  # se 0 at the extreme
    assert ix.nps([0, 6]).nps == -100
    empty = ix.nps([None, None])
    assert empty.n == 0 and empty.nps is None and empty.ci_low is None
    # interval clipped to [-100, 100]: 1 promoter, 1 detractor -> nps 0, se = 100 * sqrt(1/2) = 70.7 -> +-138.6
    wide = ix.nps([10, 0])
    assert (wide.ci_low, wide.ci_high) == (-100, 100)


def test_nps_segment_boundaries() -> None:
    assert [ix.nps_segment(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"
    ]  # fmt: skip


def test_csat_share_and_mean() -> None:
    r = ix.csat(CSAT_SCORES)
    assert r.n == 9
    assert r.share == pytest.approx(100 * 5 / 9)  # 55.56 %
    assert r.mean == pytest.approx(30 / 9)  # 3.333


def test_ces_mean_and_share_easy() -> None:
    r = ix.ces(CES_SCORES)
    assert r.mean == pytest.approx(41 / 9)  # 4.556
    assert r.share == pytest.approx(100 * 5 / 9)
    assert ix.ces([1, 2, 4, 5], easy_min=4).share == 50  # a 1-5 CES with easy = 4-5


def test_nsat_and_cdsat() -> None:
    # NSAT = 100 * (2/9 - 3/9) + 100 = 88.89; CD-SAT = 100 * 3/9 = 33.33
    assert ix.nsat(CSAT_SCORES) == pytest.approx(100 - 100 / 9)
    assert ix.cdsat(CSAT_SCORES) == pytest.approx(100 / 3)
    assert ix.nsat([5, 5]) == 200 and ix.nsat([1, 2]) == 0 and ix.nsat([3]) == 100
    # a 1-10 scale: top box 10, bottom two 1-2
    assert ix.nsat([10, 9, 2], 1, 10) == pytest.approx(100 + 100 / 3 - 100 / 3)
    assert ix.cdsat([]) is None and ix.nsat([None]) is None


def test_csi_with_declared_weights() -> None:
    # sample survey: product mean 31/9 on 1-5 -> (31/9 - 1) / 4 = 22/36; service 24/36; price 27.5/9 -> 18.5/36
    means = {"product": 22 / 36, "service": 24 / 36, "price": 18.5 / 36}
    r = ix.csi(means, {"product": 0.5, "service": 0.3, "price": 0.2})
    # 100 * (0.5 * 22 + 0.3 * 24 + 0.2 * 18.5) / 36 = 100 * 21.9 / 36 = 60.8333
    assert r.csi == pytest.approx(60.8333, abs=1e-4)
    assert r.weight_source == "declared"


def test_csi_weights_are_normalised_and_missing_factors_dropped() -> None:
    # weights 5/3/2 are the same as 0.5/0.3/0.2; without price the rest re-normalise to 5/8 and 3/8
    assert ix.csi({"a": 1.0, "b": 0.0}, {"a": 5, "b": 3, "c": 2}).csi == pytest.approx(100 * 5 / 8)
    assert ix.csi({"a": 0.5, "b": 1.0}).csi == pytest.approx(75)  # equal weights
    assert ix.csi({"a": 0.5, "b": 1.0}).weight_source == "equal"
    assert ix.csi({}).csi is None


def test_correlation_weights_by_hand() -> None:
    # y = 0, .25, .75, 1. a = 0 0 1 1: r = 0.75 / sqrt(0.625); b = 0 1 0 1: r = 0.25 / sqrt(0.625) -> weights 3:1.
    # c = 1 1 0 0 correlates negatively: clipped to weight 0. d has a gap (None) and is constant on the rest: 0.
    overall = [0.0, 0.25, 0.75, 1.0]
    ratings = {"a": [0.0, 0.0, 1.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0], "c": [1.0, 1.0, 0.0, 0.0], "d": [None, 1, 1, 1]}
    assert ix.pearson(ratings["a"], overall) == pytest.approx(0.75 / math.sqrt(0.625))
    w = ix.correlation_weights(ratings, overall)
    assert w == pytest.approx({"a": 0.75, "b": 0.25, "c": 0.0, "d": 0.0})
    # CSI with these weights and means a = 0.8, b = 0.4: 100 * (0.75 * 0.8 + 0.25 * 0.4) = 70
    assert ix.csi({"a": 0.8, "b": 0.4, "c": 1.0}, w, "correlation").csi == pytest.approx(70)


def test_correlation_weights_none_without_positive_correlation() -> None:
    assert ix.correlation_weights({"a": [1.0, 0.0, 0.5]}, [0.0, 1.0, 0.5]) is None
    assert ix.pearson([1, 2], [1, 2]) is None  # fewer than 3 pairs


def test_nps_change_by_hand() -> None:
    # Q1 of the sample: 10 9 8 7 6 3 -> p = d = 1/3, NPS 0, var = (2/3 - 0) / 6 = 1/9 -> SE 33.33 points
    # Q2: 10 8 -> p = 1/2, d = 0, NPS 50, var = (1/2 - 1/4) / 2 = 1/8 -> SE 35.36 points
    q1, q2 = ix.nps([10, 9, 8, 7, 6, 3]), ix.nps([10, 8])
    assert (q1.se, q2.se) == pytest.approx((100 / 3, 100 * math.sqrt(1 / 8)))
    change = ix.nps_change(q1, q2)
    assert change is not None
    se = 100 * math.sqrt(1 / 9 + 1 / 8)  # 48.59
    assert (change.change, change.se, change.z) == pytest.approx((50, se, 50 / se))
    assert change.p_value == pytest.approx(0.3035, abs=1e-4)  # two-sided, z = 1.029
    assert ix.nps_change(q1, ix.nps([])) is None
    flat = ix.nps_change(ix.nps([10]), ix.nps([9, 10]))
    assert flat is not None and (flat.change, flat.z, flat.p_value) == (0, None, None)
