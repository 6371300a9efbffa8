"""What needs attention: emerging topics, alerts with their explanation, and prioritised recommendations from
``mart_impact`` (topic → what customers say → impact estimate → owning team)."""

from __future__ import annotations

from typing import Any

from molva.digest.queries import QueryLog
from molva.digest.quotes import pick_quotes
from molva.digest.sections import Scope
from molva.digest.teams import owning_team

N_RECOMMENDATIONS = 5


def emerging(log: QueryLog, s: Scope, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """Topics outside the taxonomy and topics new to the brand this week, with a quote or two."""
    f = s.f
    items = []
    for r in log.rows("emerging_topics", brand_id=s.brand_id, week_start=s.week_start, limit=5):
        kind = "complaint" if r["n_complaints"] >= r["n_praise"] else "praise"
        items.append(
            {
                "topic_id": r["topic_id"],
                "label": s.label(r),
                "is_emerging": r["topic_kind"] == "emerging",
                "is_new": bool(r["is_new_topic"]),
                "mentions": f.number(r["n_mentions"]),
                "complaints": f.number(r["n_complaints"]),
                "praise": f.number(r["n_praise"]),
                "share": f.percent(r["share_reviews"]),
                "first_seen": f.date(r["topic_first_seen_at"]),
                "quotes": pick_quotes(quotes, r["topic_id"], kind, week_start=s.week_start, limit=2),
            }
        )
    return {"items": items, "queries": ["emerging_topics", "quotes"]}


def explain_anomaly(s: Scope, r: dict[str, Any]) -> str:
    """The mart's anomaly explanation in the digest's language, from the same numbers as ``anomaly_reason``."""
    f = s.f
    p = r["anomaly_p_value"]
    p_text = (
        "< 0,0001"
        if s.lang == "ru" and p is not None and p < 1e-4
        else ("< 0.0001" if p is not None and p < 1e-4 else f.number(p, 4))
    )
    if s.lang == "ru":
        return (
            f"{f.number(r['n_complaints'])} жалоб при ожидаемых {f.number(r['expected_complaints'], 1)} "
            f"по темпу 4 предыдущих недель (Пуассон, p {p_text if p_text.startswith('<') else '= ' + p_text})"
        )
    return (
        f"{f.number(r['n_complaints'])} complaints vs {f.number(r['expected_complaints'], 1)} expected at the previous "
        f"4 weeks' rate (Poisson p {p_text if p_text.startswith('<') else '= ' + p_text})"
    )


def alerts(log: QueryLog, s: Scope, coverage_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Complaint anomalies (the brand's first, then competitors') and sources whose last crawl failed."""
    t = s.t
    items: list[dict[str, Any]] = []
    for r in log.rows("alerts", brand_id=s.brand_id, week_start=s.week_start):
        items.append(
            {
                "kind": "anomaly",
                "own": bool(r["is_digest_brand"]),
                "brand": s.brand_names.get(r["brand_id"], r["brand_id"]),
                "topic": s.label(r),
                "explanation": explain_anomaly(s, r),
                "reason_en": r["anomaly_reason"],
            }
        )
    for r in coverage_rows:
        if r["last_run_status"] == "failed":
            items.append(
                {
                    "kind": "crawl",
                    "own": r["brand_id"] == s.brand_id,
                    "brand": s.brand_names.get(r["brand_id"], r["brand_id"] or ""),
                    "topic": f"{t('alert_crawl')}: {r['source_id']}",
                    "explanation": (
                        f"{t.platform(r['platform'])} · {s.f.date(r['last_run_at'])} · "
                        f"{t('runs')}: {r['n_runs']} ({r['n_failed_runs']})"
                    ),
                    "reason_en": None,
                }
            )
    return {"items": items, "queries": ["alerts", "coverage"]}


def recommendations(log: QueryLog, s: Scope, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """The top topics by impact, each as: topic → what customers say → impact estimate → which team."""
    f, t = s.f, s.t
    items: list[dict[str, Any]] = []
    for r in log.rows("recommendations", brand_id=s.brand_id, week_start=s.week_start, limit=N_RECOMMENDATIONS):
        lift = r["rating_lift_if_fixed"]
        if r["rating_gap"] is not None and lift is not None and round(lift, 2) <= 0:
            estimate = t("rec_nogap")
        elif r["rating_gap"] is not None and lift is not None:
            estimate = t("rec_lift", lift=f.signed(lift, 2))
        else:
            estimate = t("rec_nolift")
        team = owning_team(r["topic_id"], r["topic_stage"])
        items.append(
            {
                "rank": len(items) + 1,
                "topic_id": r["topic_id"],
                "label": s.label(r),
                "team_key": team,
                "team": t(f"team_{team}"),
                "estimate": estimate,
                "lift": f.signed(lift, 2) if lift is not None else "–",
                "evidence": t(
                    "rec_counts",
                    c=f.number(r["n_complaints_4w"]),
                    prev=f.number(r["n_complaints_prev4w"]),
                    w=f.number(r["avg_rating_with_topic"], 1),
                    wo=f.number(r["avg_rating_without_topic"], 1),
                ),
                "impact": f.number(r["impact_score"], 2),
                "survey": (
                    t("rec_survey", share=f.percent(r["survey_nps_driver_share"]))
                    if r.get("survey_nps_driver_share") is not None
                    else None
                ),
                "quotes": pick_quotes(quotes, r["topic_id"], "complaint", limit=2),
            }
        )
    return {"items": items, "queries": ["recommendations", "quotes"]}


def coverage(log: QueryLog, s: Scope) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Sources with what they collected and how their crawls went, plus this week's counted items per platform."""
    f, t = s.f, s.t
    rows = log.rows("coverage")
    week = {(r["brand_id"], r["platform"]): r for r in log.rows("coverage_week", week_start=s.week_start)}
    sources = []
    for r in rows:
        status = r["last_run_status"] or "none"
        w = week.get((r["brand_id"], r["platform"]))
        sources.append(
            {
                "source_id": r["source_id"],
                "brand": s.brand_names.get(r["brand_id"], r["brand_id"] or "–"),
                "platform": t.platform(r["platform"]),
                "enabled": bool(r["is_enabled"]),
                "stored": f.number(r["n_reviews_stored"]),
                "counted": f.number(r["n_reviews_counted"]),
                "period": f"{f.short_date(r['first_review_at'])} – {f.short_date(r['last_review_at'])}"
                if r["first_review_at"]
                else "–",
                "runs": f"{f.number(r['n_runs'])} ({f.number(r['n_failed_runs'])})",
                "last_run": f"{t('status_' + status)}, {f.short_date(r['last_run_at'])}"
                if r["last_run_at"]
                else t("status_none"),
                "failed": status == "failed" or bool(r["n_failed_runs"]),
                "week_items": f.number(w["n_items"]) if w else f.number(0),
            }
        )
    return {"sources": sources, "queries": ["coverage", "coverage_week"]}, rows
