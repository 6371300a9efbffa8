"""The competitor comparison section: own brand against each competitor over the 4 weeks ending the digest's week
(``mart_competitors``, window ``4w``), as a table with significance and a grouped bar chart."""

from __future__ import annotations

from typing import Any

from molva.digest import charts
from molva.digest.queries import QueryLog
from molva.digest.sections import Scope, fmt_delta, fmt_metric

TABLE_METRICS = ("n_items", "share_of_voice", "avg_rating", "csat", "nps_proxy", "net_sentiment", "reply_rate")
CHART_METRICS = ("csat", "nps_proxy", "net_sentiment", "reply_rate", "share_of_voice")
TOP_TOPICS = 6


def competition(log: QueryLog, s: Scope) -> dict[str, Any]:
    """Table (metric × brand with the difference and its significance) and chart; empty when there is no own brand."""
    f, t = s.f, s.t
    rows = [r for r in log.rows("competitors", week_start=s.week_start) if r["time_window"] == "4w"]
    own = s.own_brand_id
    rows = [r for r in rows if r["own_brand_id"] == own]
    if not rows or own is None:
        return {"available": False, "queries": ["competitors"]}
    competitors = sorted({r["competitor_brand_id"] for r in rows})
    brand_rows = {(r["competitor_brand_id"], r["metric"]): r for r in rows if r["topic_id"] is None}
    table = []
    for metric in TABLE_METRICS:
        first = next((brand_rows[(c, metric)] for c in competitors if (c, metric) in brand_rows), None)
        if first is None:
            continue
        cells = []
        for c in competitors:
            r = brand_rows.get((c, metric))
            cells.append(_cell(s, metric, r))
        table.append({"label": t(f"m_{metric}"), "own": fmt_metric(f, metric, first["own_value"]), "cells": cells})
    groups = []
    for metric in CHART_METRICS:
        first = next((brand_rows[(c, metric)] for c in competitors if (c, metric) in brand_rows), None)
        if first is None:
            continue
        bars = [charts.Bar(s.brand_names.get(own, own), _scaled(metric, first["own_value"]), charts.OWN, bold=True)]
        for i, c in enumerate(competitors):
            r = brand_rows.get((c, metric))
            value = _scaled(metric, r["competitor_value"]) if r else None
            bars.append(charts.Bar(s.brand_names.get(c, c), value, charts.PALETTE[(i + 1) % len(charts.PALETTE)]))
        if any(bar.value is not None for bar in bars):
            groups.append((t(f"m_{metric}"), bars))
    chart = charts.grouped_hbars(
        groups, title=t("chart_competitors"), value_format=lambda v: f.number(v), domain=(-100.0, 100.0)
    )
    return {
        "available": True,
        "own_name": s.brand_names.get(own, own),
        "competitor_names": [s.brand_names.get(c, c) for c in competitors],
        "table": table,
        "chart": chart,
        "groups": groups,
        "topics": _topic_table(log, s, rows, competitors),
        "queries": ["competitors", "competitor_topics"],
    }


def _scaled(metric: str, value: float | None) -> float | None:
    """Every charted metric on one −100..100 axis: shares as percentages, indices ×100."""
    return None if value is None else value * 100


def _cell(s: Scope, metric: str, r: dict[str, Any] | None) -> dict[str, str]:
    f = s.f
    if r is None:
        return {"value": "–", "diff": "", "arrow": "", "tone": "flat"}
    arrow, tone = "", "flat"
    if r["is_significant"] and r["difference"]:
        arrow = "▲" if r["difference"] > 0 else "▼"
        tone = "neutral" if metric in ("n_items", "share_of_voice") else ("good" if r["difference"] > 0 else "bad")
    diff = fmt_delta(f, metric, r["difference"]) if metric not in ("n_items",) else f.signed(r["difference"])
    return {"value": fmt_metric(f, metric, r["competitor_value"]), "diff": diff, "arrow": arrow, "tone": tone}


def _topic_table(log: QueryLog, s: Scope, rows: list[dict[str, Any]], competitors: list[str]) -> list[dict[str, Any]]:
    """Complaint share per topic, own brand against each competitor, for the topics the own brand complains most of."""
    f = s.f
    labels = {r["topic_id"]: r for r in log.rows("competitor_topics", week_start=s.week_start)}
    topic_rows = [r for r in rows if r["metric"] == "topic_complaint_share" and r["topic_id"]]
    own_share: dict[str, float] = {}
    for r in topic_rows:
        own_share[r["topic_id"]] = r["own_value"] or 0.0
    top = sorted((tid for tid, v in own_share.items() if v > 0), key=lambda tid: (-own_share[tid], tid))[:TOP_TOPICS]
    by = {(r["topic_id"], r["competitor_brand_id"]): r for r in topic_rows}
    out: list[dict[str, Any]] = []
    for tid in top:
        cells = [_cell(s, "topic_complaint_share", by.get((tid, c))) for c in competitors]
        label = s.label(labels[tid]) if tid in labels else tid
        out.append({"label": label, "own": f.percent(own_share[tid], 1), "cells": cells})
    for row in out:
        for cell in row["cells"]:
            # a higher complaint share is worse: flip the tone of significant differences
            cell["tone"] = {"good": "bad", "bad": "good"}.get(cell["tone"], cell["tone"])
    return out
