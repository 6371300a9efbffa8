"""The verdict-first brief at the top of every digest: where the brand stands, what drives it, who acts, what to do.

State: the average rating of the last 4 weeks against the 4 weeks before (means weighted by rated reviews), with a
Welch t-test over the individual rated reviews of the two windows (each window's mean and standard deviation pooled
exactly from the weeks' n, mean and standard deviation in ``mart_brand_period``, the deviation recovered from its 95 %
interval; ``scipy.stats.ttest_ind_from_stats(equal_var=False)``, p < 0.05), whether the level is the lowest
or highest of the trend window, and the brand's rank among the tracked brands on rating, CSAT and NPS proxy over the
4 weeks (``mart_competitors``, window ``4w``). Driver and owner: the top recommendation (impact ranking) and its
team; the action follows from the two. The key figure goes into the e-mail subject and preview text.
"""

from __future__ import annotations

import math
from typing import Any

from molva.digest.queries import QueryLog
from molva.digest.sections import TREND_WEEKS, Scope

WINDOW = 4
RANK_METRICS = ("avg_rating", "csat", "nps_proxy")
ALPHA = 0.05


def _window_mean(rows: list[dict[str, Any]]) -> tuple[float | None, int]:
    rated = [(float(r["avg_rating"]), int(r["n_rated"] or 0)) for r in rows if r["avg_rating"] is not None]
    n = sum(k for _, k in rated)
    if n == 0:
        return None, 0
    return sum(v * k for v, k in rated) / n, n


def _window_stats(rows: list[dict[str, Any]]) -> tuple[float, float, int] | None:
    """(mean, sample sd, n) of every rated review in the weeks, from each week's n, mean and sd (exact pooling)."""
    weeks = []
    for r in rows:
        n = int(r["n_rated"] or 0)
        if r["avg_rating"] is None or n == 0:
            continue
        mean = float(r["avg_rating"])
        high = r.get("avg_rating_ci_high")
        sd = (float(high) - mean) / 1.96 * math.sqrt(n) if high is not None and n >= 2 else 0.0
        weeks.append((n, mean, sd))
    total = sum(n for n, _, _ in weeks)
    if total < 2:
        return None
    grand = sum(n * m for n, m, _ in weeks) / total
    squares = sum((n - 1) * sd**2 + n * (m - grand) ** 2 for n, m, sd in weeks)
    return grand, math.sqrt(squares / (total - 1)), total


def rating_trend(log: QueryLog, s: Scope) -> dict[str, Any]:
    """Last 4 weeks against the 4 before: weighted means, n, Welch p-value and whether the level is a window extreme."""
    rows = [
        r
        for r in log.rows("trend", brand_id=s.brand_id, week_start=s.week_start, n_weeks=TREND_WEEKS)
        if r["platform"] == "all"
    ]
    rows.sort(key=lambda r: r["week_start"])
    recent, before = rows[-WINDOW:], rows[-2 * WINDOW : -WINDOW]
    now, n_now = _window_mean(recent)
    prev, n_prev = _window_mean(before)
    p_value: float | None = None
    a, b = _window_stats(recent), _window_stats(before)
    if a is not None and b is not None:
        if a[1] == 0 and b[1] == 0:
            p_value = 1.0 if a[0] == b[0] else 0.0  # no spread in either window: any difference is exact
        else:
            from scipy.stats import ttest_ind_from_stats

            result = ttest_ind_from_stats(a[0], a[1], a[2], b[0], b[1], b[2], equal_var=False)
            p = float(result.pvalue)
            p_value = None if math.isnan(p) else p
    # the 4-week level against every 4-week window of the trend (low/high "in N weeks")
    window_means = [_window_mean(rows[i : i + WINDOW])[0] for i in range(0, max(0, len(rows) - WINDOW + 1))]
    levels = [v for v in window_means if v is not None]
    extreme = None
    if now is not None and len(levels) > 1:
        if now <= min(levels) + 1e-9:
            extreme = "low"
        elif now >= max(levels) - 1e-9:
            extreme = "high"
    return {
        "now": now,
        "before": prev,
        "n_now": n_now,
        "n_before": n_prev,
        "delta": None if now is None or prev is None else now - prev,
        "p_value": p_value,
        "significant": p_value is not None and p_value < ALPHA,
        "extreme": extreme,
        "n_weeks": len(rows),
    }


def ranks(log: QueryLog, s: Scope) -> list[dict[str, Any]]:
    """The brand's place among all tracked brands (1 = best) on rating, CSAT and NPS proxy over 4 weeks."""
    own = s.own_brand_id
    rows = [
        r
        for r in log.rows("competitors", week_start=s.week_start)
        if r["time_window"] == "4w" and r["own_brand_id"] == own and r["topic_id"] is None
    ]
    out = []
    for metric in RANK_METRICS:
        mine = [r for r in rows if r["metric"] == metric]
        if not mine or mine[0]["own_value"] is None:
            continue
        values = {own: float(mine[0]["own_value"])}
        values |= {
            r["competitor_brand_id"]: float(r["competitor_value"]) for r in mine if r["competitor_value"] is not None
        }
        if s.brand_id not in values or len(values) < 2:
            continue
        order = sorted(values, key=lambda b: -values[b])
        out.append({"metric": metric, "rank": order.index(s.brand_id) + 1, "of": len(order)})
    return out


def brief(log: QueryLog, s: Scope, recommendations: dict[str, Any], topics: dict[str, Any]) -> dict[str, Any]:
    """The brief's sentences, formatted for the digest's language, plus the subject and preview lines."""
    f, t = s.f, s.t
    trend = rating_trend(log, s)
    place = ranks(log, s)
    lines: list[str] = []
    key_figure = ""
    if trend["now"] is not None:
        key_figure = f"{f.number(trend['now'], 2)}★"
        state = t(
            "brief_rating",
            v=f.number(trend["now"], 2),
            prev=f.number(trend["before"], 2) if trend["before"] is not None else "–",
            n=f.number(trend["n_now"]),
            n_prev=f.number(trend["n_before"]),
        )
        if trend["p_value"] is not None:
            word = "brief_sig_down" if (trend["delta"] or 0) < 0 else "brief_sig_up"
            verdict = t(word if trend["significant"] else "brief_noise", p=f.number(trend["p_value"], 3))
            state += f"; {verdict}"
        if trend["extreme"]:
            state += "; " + t(f"brief_{trend['extreme']}", weeks=t.weeks(trend["n_weeks"]))
        lines.append(state + ".")
    if place:
        worst = all(p["rank"] == p["of"] for p in place)
        best = all(p["rank"] == 1 for p in place)
        parts = ", ".join(
            t("brief_rank_part", metric=t(f"short_{p['metric']}"), rank=p["rank"], of=p["of"]) for p in place
        )
        if worst:
            lines.append(t("brief_rank_last", of=place[0]["of"], parts=parts))
        elif best:
            lines.append(t("brief_rank_first", of=place[0]["of"], parts=parts))
        else:
            lines.append(t("brief_rank", parts=parts))
    recs = recommendations.get("items") or []
    driver = owner = action = None
    if recs:
        top = recs[0]
        driver, owner = top["label"], top["team"]
        lines.append(t("brief_driver", topic=driver, team=owner, evidence=top["evidence"]))
        action = t("brief_action", team=owner, topic=driver)
    elif topics.get("rising"):
        driver = topics["rising"][0]["label"]
        lines.append(t("brief_driver_only", topic=driver, count=topics["rising"][0]["count"]))
    trend_word = ""
    if trend["delta"] is not None:
        trend_word = f" ({f.signed(trend['delta'], 2)} {t('brief_vs_prev4')})"
    subject = f"{s.brand_name}: {key_figure}{trend_word}" if key_figure else s.brand_name
    if place and all(p["rank"] == p["of"] for p in place):
        subject += f", {t('brief_subject_last', of=place[0]['of'])}"
    preview = " ".join(lines[:2])
    if driver:
        preview = f"{preview} {t('brief_preview_driver', topic=driver)}".strip()
    return {
        "lines": lines,
        "action": action,
        "driver": driver,
        "owner": owner,
        "key_figure": key_figure,
        "subject": subject,
        "preview": preview if len(preview) <= 200 else preview[:199].rsplit(" ", 1)[0] + "…",
        "trend": trend,
        "ranks": place,
        "tone": "bad" if trend["significant"] and (trend["delta"] or 0) < 0 else "neutral",
        "queries": ["trend", "competitors", "recommendations"],
    }
