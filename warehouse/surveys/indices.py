"""CX indices from survey scores: NPS with a confidence interval, CSAT, CES, NSAT, CD-SAT and CSI.

Pure functions over lists of scores, so every formula in ``docs/metrics.md`` is tested on hand-computed numbers. A
score of ``None`` means "not answered" and is left out of that index only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Z_95 = 1.96  # as in the marts (warehouse/sql/macros.sql): 95 % two-sided


@dataclass(frozen=True)
class NpsResult:
    """NPS = % promoters (9-10) - % detractors (0-6), with its standard error and a Wald 95% interval, in points."""

    n: int
    n_promoters: int
    n_passives: int
    n_detractors: int
    nps: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ScaleResult:
    """Mean score and the share (%) of answers at or above a threshold (CSAT "satisfied", CES "easy")."""

    n: int
    mean: float | None
    share: float | None


@dataclass(frozen=True)
class CsiResult:
    """CSI 0-100: importance-weighted mean of factor satisfaction normalised to 0..1, times 100."""

    csi: float | None
    weights: dict[str, float]
    weight_source: str  # declared | respondent | correlation | equal
    factor_means: dict[str, float]  # normalised 0..1


def _answered(scores: Sequence[float | None]) -> list[float]:
    return [float(s) for s in scores if s is not None]


def nps_segment(score: float) -> str:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def nps(scores: Sequence[float | None], z: float = Z_95) -> NpsResult:
    """NPS in points (-100..100); SE from the multinomial variance ``(p + d - (p - d)^2) / n``."""
    xs = _answered(scores)
    n = len(xs)
    n_p = sum(1 for x in xs if x >= 9)
    n_d = sum(1 for x in xs if x <= 6)
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, None, None)
    p, d = n_p / n, n_d / n
    value = 100 * (p - d)
    se = 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    low, high = max(value - z * se, -100.0), min(value + z * se, 100.0)
    return NpsResult(n, n_p, n - n_p - n_d, n_d, value, se, low, high)


@dataclass(frozen=True)
class NpsChange:
    """Difference of two independent NPS values (points) with its standard error and two-sided p-value."""

    change: float
    se: float
    z: float | None
    p_value: float | None


def nps_change(before: NpsResult, after: NpsResult) -> NpsChange | None:
    """``after - before``; SE = sqrt(SE_before² + SE_after²) (independent samples), z-test against no change.

    None when either side has no answers. With both SEs 0 (e.g. 100 then 100) there is no test: z and p are None.
    """
    if before.nps is None or after.nps is None or before.se is None or after.se is None:
        return None
    change = after.nps - before.nps
    se = math.sqrt(before.se**2 + after.se**2)
    if se == 0:
        return NpsChange(change, 0.0, None, None)
    z = change / se
    return NpsChange(change, se, z, math.erfc(abs(z) / math.sqrt(2)))


def share_at_least(scores: Sequence[float | None], threshold: float) -> ScaleResult:
    """Mean of the answers and the share (%) at or above ``threshold``."""
    xs = _answered(scores)
    if not xs:
        return ScaleResult(0, None, None)
    return ScaleResult(len(xs), sum(xs) / len(xs), 100 * sum(1 for x in xs if x >= threshold) / len(xs))


def csat(scores: Sequence[float | None], satisfied_min: float = 4) -> ScaleResult:
    """CSAT: share of satisfied answers (4-5 on a 1-5 scale) and the mean score."""
    return share_at_least(scores, satisfied_min)


def ces(scores: Sequence[float | None], easy_min: float = 5) -> ScaleResult:
    """CES: mean effort score and the share of "easy" answers (5-7 on a 1-7 agreement scale)."""
    return share_at_least(scores, easy_min)


def nsat(scores: Sequence[float | None], scale_min: float = 1, scale_max: float = 5) -> float | None:
    """NSAT = % top box (very satisfied) - % bottom two boxes (dissatisfied) + 100, on 0..200."""
    xs = _answered(scores)
    if not xs:
        return None
    top = sum(1 for x in xs if x >= scale_max) / len(xs)
    bottom = sum(1 for x in xs if x <= scale_min + 1) / len(xs)
    return 100 * (top - bottom) + 100


def cdsat(scores: Sequence[float | None], scale_min: float = 1) -> float | None:
    """CD-SAT, the dissatisfaction ratio: share (%) of answers in the two bottom boxes (1-2 on 1-5)."""
    xs = _answered(scores)
    if not xs:
        return None
    return 100 * sum(1 for x in xs if x <= scale_min + 1) / len(xs)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when fewer than 3 pairs or a constant variable."""
    n = len(xs)
    if n < 3 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def correlation_weights(
    ratings: Mapping[str, Sequence[float | None]], overall: Sequence[float | None]
) -> dict[str, float] | None:
    """Importance from the correlation of each factor with overall satisfaction, negatives clipped to 0, sum 1.

    Rows are aligned by position; a pair counts only when both are answered. None when no factor correlates
    positively (then the caller falls back to equal weights).
    """
    raw: dict[str, float] = {}
    for factor, values in ratings.items():
        pairs = [(x, y) for x, y in zip(values, overall, strict=True) if x is not None and y is not None]
        r = pearson([p[0] for p in pairs], [p[1] for p in pairs])
        raw[factor] = max(r, 0.0) if r is not None else 0.0
    total = sum(raw.values())
    if total <= 0:
        return None
    return {f: w / total for f, w in raw.items()}


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must sum to a positive number")
    return {f: w / total for f, w in weights.items()}


def csi(
    factor_means: Mapping[str, float],
    weights: Mapping[str, float] | None = None,
    weight_source: str = "declared",
) -> CsiResult:
    """CSI = 100 * sum_i w_i * m_i, with m_i the factor's mean satisfaction normalised to 0..1 and sum w_i = 1.

    Factors without a mean (nobody rated them in this group) are left out and the remaining weights re-normalised.
    Without weights every factor weighs the same (``weight_source='equal'``).
    """
    present = {f: m for f, m in factor_means.items() if m is not None}
    if not present:
        return CsiResult(None, {}, weight_source, {})
    if weights is None:
        weights, weight_source = {f: 1.0 for f in present}, "equal"
    used = {f: weights.get(f, 0.0) for f in present}
    if sum(used.values()) <= 0:
        return CsiResult(None, {}, weight_source, dict(present))
    w = normalise_weights(used)
    return CsiResult(100 * sum(w[f] * present[f] for f in present), w, weight_source, dict(present))
