"""Turn the rows of the saved queries into the digest's sections: plain dicts of formatted values that the HTML,
Markdown and text templates lay out. Every section records the saved queries it came from (``queries``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from molva.digest import charts
from molva.digest.fmt import Formatter
from molva.digest.i18n import Translator
from molva.digest.queries import QueryLog
from molva.digest.quotes import pick_quotes

HEADLINE_METRICS = ("n_items", "avg_rating", "csat", "nps_proxy", "net_sentiment", "reply_rate")
# The denominator behind each metric: too few observations and a change is not judged.
DENOMINATOR = {
    "n_items": "n_items",
    "avg_rating": "n_rated",
    "csat": "n_rated",
    "nps_proxy": "n_rated",
    "net_sentiment": "n_opinion",  # opinions only: mentions without one are in no share
    "reply_rate": "n_reviews",
}
MIN_N = 10
TREND_WEEKS = 12
TOP_TOPICS = 5


@dataclass(frozen=True)
class Scope:
    """What one digest is about: the brand, its week and the language, with the helpers to format values."""

    brand_id: str
    brand_name: str
    is_own: bool
    own_brand_id: str | None
    week_start: date
    iso_week: str
    lang: str
    brand_names: dict[str, str]

    @property
    def f(self) -> Formatter:
        return Formatter(self.lang)

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def label(self, row: dict[str, Any]) -> str:
        """The topic's name in the digest's language (Russian falls back to English in the marts)."""
        return str(row.get(f"topic_label_{self.lang}") or row.get("topic_label_en") or row["topic_id"])


def fmt_metric(f: Formatter, metric: str, value: float | None) -> str:
    """A metric value as readers expect it: counts, ★ ratings, percentages or −100..100 indices."""
    if metric in ("n_items",):
        return f.number(value)
    if metric == "avg_rating":
        return f.number(value, 2)
    if metric in ("nps_proxy", "net_sentiment"):
        return f.score100(value)
    if metric.startswith("topic_"):
        return f.percent(value, 1)
    return f.percent(value)


def fmt_delta(f: Formatter, metric: str, delta: float | None) -> str:
    if metric == "n_items":
        return f.signed(delta)
    if metric == "avg_rating":
        return f.signed(delta, 2)
    if metric in ("nps_proxy", "net_sentiment"):
        return f.signed(None if delta is None else delta * 100)
    if metric.startswith("topic_"):
        return f.points(delta, 1)
    return f.points(delta)


def _se(row: dict[str, Any], metric: str) -> float | None:
    low, high = row.get(f"{metric}_ci_low"), row.get(f"{metric}_ci_high")
    if low is None or high is None:
        return None
    return (high - low) / (2 * 1.959964)


def week_change(metric: str, now: dict[str, Any] | None, before: dict[str, Any] | None) -> tuple[float | None, str]:
    """The change against last week and its verdict: ``significant``, ``noise`` or ``too_few``.

    Volume uses a Poisson test on the two counts; other metrics compare the difference with the 95 % interval built
    from each week's own interval (normal approximation), so the verdict follows the marts' uncertainty.
    """
    if now is None or before is None or now.get(metric) is None or before.get(metric) is None:
        return None, "too_few"
    delta = float(now[metric]) - float(before[metric])
    if metric == "n_items":
        a, b = int(now["n_items"]), int(before["n_items"])
        if a + b < MIN_N:
            return delta, "too_few"
        return delta, "significant" if abs(a - b) / math.sqrt(a + b) > 1.959964 else "noise"
    key = DENOMINATOR[metric]
    if min(int(now.get(key) or 0), int(before.get(key) or 0)) < MIN_N:
        return delta, "too_few"
    se_now, se_before = _se(now, metric), _se(before, metric)
    if se_now is None or se_before is None:
        return delta, "too_few"
    spread = math.sqrt(se_now**2 + se_before**2)
    if spread == 0:
        return delta, "noise" if delta == 0 else "significant"
    return delta, "significant" if abs(delta) / spread > 1.959964 else "noise"


def _mark(verdict: str, delta: float | None, metric: str) -> dict[str, str]:
    """Arrow and tone (good/bad/flat) for a change; volume is neutral, every other headline metric is better higher."""
    if verdict != "significant" or delta is None or delta == 0:
        return {"arrow": "○" if verdict == "noise" else "·", "tone": "flat"}
    up = delta > 0
    tone = "neutral" if metric == "n_items" else ("good" if up else "bad")
    return {"arrow": "▲" if up else "▼", "tone": tone}


def headline(log: QueryLog, s: Scope) -> dict[str, Any]:
    """Own brand this week vs last week vs competitors, with interval and a verdict per change."""
    f, t = s.f, s.t
    rows = log.rows("headline", week_start=s.week_start)
    now = {r["brand_id"]: r for r in rows if r["week_start"] == s.week_start}
    before = {r["brand_id"]: r for r in rows if r["week_start"] != s.week_start}
    sig = log.rows("headline_significance", week_start=s.week_start) if s.is_own else []
    versus = {(r["competitor_brand_id"], r["metric"]): r for r in sig}
    competitors = [b for b in now if b != s.brand_id]
    me, prev = now.get(s.brand_id), before.get(s.brand_id)
    metrics = []
    for metric in HEADLINE_METRICS:
        delta, verdict = week_change(metric, me, prev)
        ci = ""
        has_data = me is not None and me.get(metric) is not None and int(me.get(DENOMINATOR[metric]) or 0) > 1
        if me and has_data and me.get(f"{metric}_ci_low") is not None:
            ci = f"{fmt_metric(f, metric, me[f'{metric}_ci_low'])} … {fmt_metric(f, metric, me[f'{metric}_ci_high'])}"
        cells = []
        for b in competitors:
            comp = versus.get((b, metric))
            mark = {"arrow": "", "tone": "flat", "diff": ""}
            if comp and comp["difference"] is not None:
                mark["diff"] = fmt_delta(f, metric, comp["difference"])
            if comp and comp["is_significant"] and comp["difference"]:
                up = comp["difference"] > 0
                mark |= {
                    "arrow": "▲" if up else "▼",
                    "tone": "neutral" if metric == "n_items" else ("good" if up else "bad"),
                }
            cells.append({"brand": s.brand_names.get(b, b), "value": fmt_metric(f, metric, now[b].get(metric)), **mark})
        metrics.append(
            {
                "key": metric,
                "label": t(f"m_{metric}"),
                "value": fmt_metric(f, metric, me.get(metric) if me else None),
                "last": fmt_metric(f, metric, prev.get(metric) if prev else None),
                "delta": fmt_delta(f, metric, delta),
                "verdict": t({"significant": "significant", "noise": "noise", "too_few": "too_few"}[verdict]),
                "ci": ci,
                "competitors": cells,
                **_mark(verdict, delta, metric),
            }
        )
    return {
        "metrics": metrics,
        "surveys": [],
        "competitor_names": [s.brand_names.get(b, b) for b in competitors],
        "n_items": int(me["n_items"]) if me else 0,
        "sentiment_base": t(
            "sentiment_base",
            n_opinion=f.number(int(me.get("n_opinion") or 0) if me else 0),
            n_no_opinion=f.number(int(me.get("n_no_opinion") or 0) if me else 0),
        ),
        "raw": {"now": me, "before": prev},
        "queries": ["headline", *(["headline_significance"] if s.is_own else [])],
    }


def trend_weeks(s: Scope, first_week: date) -> list[date]:
    """The Mondays shown in trend charts: up to ``TREND_WEEKS`` ending the digest's week, none before the data."""
    start = max(first_week, s.week_start - timedelta(weeks=TREND_WEEKS - 1))
    n = (s.week_start - start).days // 7 + 1
    return [start + timedelta(weeks=i) for i in range(n)]


def trends(log: QueryLog, s: Scope, first_week: date) -> dict[str, Any]:
    """Weekly rating, net sentiment and volume per platform, as SVG charts plus the numbers behind them."""
    f, t = s.f, s.t
    rows = log.rows("trend", brand_id=s.brand_id, week_start=s.week_start, n_weeks=TREND_WEEKS)
    weeks = trend_weeks(s, first_week)
    by = {(r["week_start"], r["platform"]): r for r in rows}
    platforms = sorted({r["platform"] for r in rows if r["platform"] != "all"})
    labels = [f.short_date(w) for w in weeks]

    def series(metric: str, scale: float = 1.0) -> list[charts.Series]:
        out = []
        for i, p in enumerate(["all", *platforms]):
            values = [
                by[(w, p)][metric] * scale if (w, p) in by and by[(w, p)][metric] is not None else None for w in weeks
            ]
            if any(v is not None for v in values):
                name = t("all_platforms") if p == "all" else t.platform(p)
                out.append(charts.Series(name, values, charts.color_for(p, i), bold=p == "all"))
        return out

    rating_series, sentiment_series = series("avg_rating"), series("net_sentiment", 100)
    rating = sentiment = volume = None  # a chart without data is left out; the template says so
    if rating_series:
        rating = charts.line_chart(
            labels, rating_series, title=t("chart_rating"), y_format=lambda v: f.number(v, 1), y_clamp=(1, 5)
        )
    if sentiment_series:
        sentiment = charts.line_chart(
            labels, sentiment_series, title=t("chart_sentiment"), y_format=f.signed, y_clamp=(-100, 100)
        )
    volume_series = [
        charts.Series(
            t.platform(p),
            [float(by[(w, p)]["n_items"]) if (w, p) in by else 0.0 for w in weeks],
            charts.color_for(p, i),
        )
        for i, p in enumerate(platforms)
    ]
    if volume_series:
        volume = charts.stacked_bars(labels, volume_series, title=t("chart_volume"), y_format=lambda v: f.number(v))
    table = [
        {
            "week": f.short_date(w),
            "n_items": f.number(by[(w, "all")]["n_items"]) if (w, "all") in by else f.number(0),
            "avg_rating": f.number(by[(w, "all")]["avg_rating"], 2) if (w, "all") in by else "–",
            "net_sentiment": f.score100(by[(w, "all")]["net_sentiment"]) if (w, "all") in by else "–",
        }
        for w in weeks
    ]
    return {
        "n_weeks": len(weeks),
        "charts": {"rating": rating, "sentiment": sentiment, "volume": volume},
        # the same series for the e-mail's PNG charts (molva/digest/png.py)
        "data": {"labels": labels, "rating": rating_series, "sentiment": sentiment_series, "volume": volume_series},
        "table": table,
        "queries": ["trend"],
    }


def _topic_history(log: QueryLog, s: Scope) -> dict[str, dict[date, dict[str, Any]]]:
    rows = log.rows("topic_trend", brand_id=s.brand_id, week_start=s.week_start, n_weeks=TREND_WEEKS)
    out: dict[str, dict[date, dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["topic_id"], {})[r["week_start"]] = r
    return out


def topics(log: QueryLog, s: Scope, first_week: date, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """Rising complaints and top praise of the week, each with a sparkline and 2–3 quotes."""
    f = s.f
    history = _topic_history(log, s)
    weeks = trend_weeks(s, first_week)

    def spark(topic_id: str, field: str, color: str) -> tuple[str, list[int]]:
        values = [int(history.get(topic_id, {}).get(w, {}).get(field) or 0) for w in weeks]
        return charts.sparkline(values, title=f"{topic_id}: {field}", color=color), values

    rising = []
    for r in log.rows("rising_complaints", brand_id=s.brand_id, week_start=s.week_start, limit=TOP_TOPICS):
        svg, values = spark(r["topic_id"], "n_complaints", charts.BAD)
        rising.append(
            {
                "topic_id": r["topic_id"],
                "label": s.label(r),
                "count": f.number(r["n_complaints"]),
                "share": f.percent(r["share_complaints"]),
                "change": f.signed(r["change_complaints"], 1),
                "change_pct": f.signed(r["change_complaints_pct"] * 100) + "\u00a0%"
                if r["change_complaints_pct"] is not None
                else "",
                "is_anomaly": bool(r["is_anomaly"]),
                "is_new": r["prev4_complaints"] == 0,
                "spark": svg,
                "spark_values": values,
                "quotes": pick_quotes(quotes, r["topic_id"], "complaint", week_start=s.week_start),
            }
        )
    praise = []
    for r in log.rows("top_praise", brand_id=s.brand_id, week_start=s.week_start, limit=3):
        svg, values = spark(r["topic_id"], "n_praise", charts.GOOD)
        praise.append(
            {
                "topic_id": r["topic_id"],
                "label": s.label(r),
                "count": f.number(r["n_praise"]),
                "share": f.percent(r["share_praise"]),
                "change": f.signed(r["change_praise"], 1),
                "spark": svg,
                "spark_values": values,
                "quotes": pick_quotes(quotes, r["topic_id"], "praise", week_start=s.week_start),
            }
        )
    return {
        "rising": rising,
        "praise": praise,
        "queries_rising": ["rising_complaints", "topic_trend", "quotes"],
        "queries_praise": ["top_praise", "topic_trend", "quotes"],
    }


def survey_check(log: QueryLog, s: Scope) -> list[dict[str, str]]:
    """Survey NPS/CSAT beside the review proxies for the week, its month and quarter (empty without survey answers)."""
    f, t = s.f, s.t
    out = []
    for r in log.rows("survey_check", brand_id=s.brand_id, week_start=s.week_start):
        grain = r["period_grain"]
        start = r["period_start"]
        if grain == "week":
            label = s.iso_week
        elif grain == "month":
            label = f.month(start)
        else:
            label = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        out.append(
            {
                "period": f"{t('grain_' + grain)} {label}",
                "survey_nps": f"{f.score100(r['survey_nps'])} (n={f.number(r['n_survey_nps'])})",
                "review_nps": f"{f.score100(r['review_nps_proxy'])} (n={f.number(r['n_review_rated'])})",
                "survey_csat": f"{f.percent(r['survey_csat'])} (n={f.number(r['n_survey_csat'])})",
                "review_csat": f.percent(r["review_csat"]),
            }
        )
    return out
