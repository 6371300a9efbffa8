"""The verdict's trend test: a Welch t-test over the individual reviews, pooled exactly from weekly n/mean/interval."""

from __future__ import annotations

import math
import statistics

from scipy.stats import ttest_ind, ttest_ind_from_stats

from molva.digest.verdict import _window_stats


def _week(ratings: list[float]) -> dict[str, float | int]:
    """One mart_brand_period row as the trend query returns it (95 % interval from sd/sqrt(n))."""
    n, mean = len(ratings), statistics.fmean(ratings)
    se = statistics.stdev(ratings) / math.sqrt(n)
    return {"n_rated": n, "avg_rating": mean, "avg_rating_ci_high": mean + 1.96 * se}


def test_pooled_window_equals_the_reviews_themselves() -> None:
    weeks = [[5, 4, 4, 3], [2, 5, 1], [4, 4, 5, 5, 3]]
    mean, sd, n = _window_stats([_week(w) for w in weeks])
    flat = [r for w in weeks for r in w]
    assert n == len(flat)
    assert math.isclose(mean, statistics.fmean(flat))
    assert math.isclose(sd, statistics.stdev(flat))


def test_p_value_matches_welch_on_the_raw_reviews() -> None:
    recent = [[2, 3, 1, 2], [3, 2, 2], [1, 2, 3, 2, 2]]
    before = [[4, 5, 4], [3, 4, 5, 4], [5, 4]]
    a, b = _window_stats([_week(w) for w in recent]), _window_stats([_week(w) for w in before])
    assert a is not None and b is not None
    pooled = ttest_ind_from_stats(a[0], a[1], a[2], b[0], b[1], b[2], equal_var=False).pvalue
    raw = ttest_ind([r for w in recent for r in w], [r for w in before for r in w], equal_var=False).pvalue
    assert math.isclose(pooled, raw, rel_tol=1e-9)
    assert raw < 0.05


def test_weeks_without_ratings_are_left_out() -> None:
    empty = {"n_rated": 0, "avg_rating": None, "avg_rating_ci_high": None}
    assert _window_stats([empty]) is None
    assert _window_stats([empty, _week([4, 5])])[2] == 2  # type: ignore[index]
