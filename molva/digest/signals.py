"""What needs attention: emerging topics, alerts with their explanation, and prioritised recommendations from
``mart_impact`` (topic → what customers say → impact estimate → owning team)."""

from __future__ import annotations

import re
from typing import Any

from molva.digest.followup import has_table, verdict
from molva.digest.queries import QueryLog
from molva.digest.quotes import pick_quotes
from molva.digest.sections import Scope
from molva.digest.teams import owning_team

N_RECOMMENDATIONS = 5
# An emerging (or newly mentioned) topic is shown once it is the main topic of this many sentences in this many
# different reviews over the 4 weeks ending the digest's week: one stray sentence is not a trend.
MIN_EMERGING_MENTIONS = 5
MIN_EMERGING_REVIEWS = 3
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def emerging_label(s: Scope, r: dict[str, Any]) -> str:
    """A readable name in the digest's language: a taxonomy topic's own label; an emerging topic's label (key phrases
    or a name a person gave it) only when it is written in the digest's language, else "New topic #N" (the quote
    beside it says what it is about)."""
    if r["topic_kind"] != "emerging":
        return s.label(r)
    name = str(r.get(f"topic_label_{s.lang}") or r.get("topic_label_en") or "")
    cyrillic = bool(_CYRILLIC.search(name))
    latin = bool(_LATIN.search(name))
    if name and (cyrillic if s.lang == "ru" else latin and not cyrillic):
        return name
    number = r["topic_id"].rsplit("-", 1)[-1].lstrip("0") or "0"
    return s.t("emerging_unnamed", n=number)


def emerging(log: QueryLog, s: Scope, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """Topics outside the taxonomy and topics new to the brand, over 4 weeks, shown only with at least
    :data:`MIN_EMERGING_MENTIONS` sentences in :data:`MIN_EMERGING_REVIEWS` reviews, each with a representative quote
    (its main topic is this one) and a label in the digest's language."""
    f = s.f
    items = []
    rows = log.rows(
        "emerging_topics", brand_id=s.brand_id, week_start=s.week_start, min_mentions=MIN_EMERGING_MENTIONS,
        min_reviews=MIN_EMERGING_REVIEWS, limit=5,
    )  # fmt: skip
    for r in rows:
        first = "complaint" if r["n_complaints"] >= r["n_praise"] else "praise"
        kinds = (first, "praise" if first == "complaint" else "complaint", "neutral")
        items.append(
            {
                "topic_id": r["topic_id"],
                "label": emerging_label(s, r),
                "is_emerging": r["topic_kind"] == "emerging",
                "is_new": bool(r["is_new_topic"]),
                "mentions": f.number(r["n_mentions"]),
                "sentences": f.number(r["n_sentence_mentions"]),
                "complaints": f.number(r["n_complaints"]),
                "praise": f.number(r["n_praise"]),
                "share": f.percent(r["share_reviews"]),
                "first_seen": f.date(r["topic_first_seen_at"]),
                "quotes": pick_quotes(quotes, r["topic_id"], kinds, limit=1),
            }
        )
    support = s.t("emerging_support", m=MIN_EMERGING_MENTIONS, r=MIN_EMERGING_REVIEWS)
    return {"items": items, "support": support, "queries": ["emerging_topics", "quotes"]}


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


def _lift_text(s: Scope, value: float | None, low: float | None, high: float | None) -> str:
    f = s.f
    if value is None:
        return "–"
    if low is None or high is None:
        return f"{f.signed(value, 2)}★"
    return f"{f.signed(value, 2)}★ ({f.signed(low, 2)} … {f.signed(high, 2)})"


def recommendations(log: QueryLog, s: Scope, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """Topics by estimated rating lift (``mart_impact.priority_lift``: the last 4 weeks against the 4 before, with a
    95 % interval), each as: topic → what customers say → lift → owning team → next step; then last week's
    recommendations followed up (better / same / worse, :mod:`molva.digest.followup`)."""
    f, t = s.f, s.t
    items: list[dict[str, Any]] = []
    for r in log.rows("recommendations", brand_id=s.brand_id, week_start=s.week_start, limit=N_RECOMMENDATIONS):
        team = owning_team(r["topic_id"], r["topic_stage"])
        lift = _lift_text(s, r["priority_lift"], r["priority_lift_ci_low"], r["priority_lift_ci_high"])
        items.append(
            {
                "rank": len(items) + 1,
                "topic_id": r["topic_id"],
                "label": s.label(r),
                "team_key": team,
                "team": t(f"team_{team}"),
                "estimate": t(
                    "rec_lift_ci",
                    lift=lift,
                    now=_lift_text(s, r["lift_estimate"], r["lift_ci_low"], r["lift_ci_high"]),
                    prev=f.signed(r["lift_prev4w"], 2) if r["lift_prev4w"] is not None else "–",
                ),
                "lift": lift,
                "evidence": t(
                    "rec_counts",
                    c=f.number(r["n_complaints_4w"]),
                    prev=f.number(r["n_complaints_prev4w"]),
                    w=f.number(r["avg_rating_complaining"], 1),
                    wo=f.number(r["avg_rating_complaint_free"], 1),
                ),
                "next_step": t(f"next_{team}"),
                "impact": f.number(r["impact_score"], 2),
                "survey": (
                    t("rec_survey", share=f.percent(r["survey_nps_driver_share"]))
                    if r.get("survey_nps_driver_share") is not None
                    else None
                ),
                "quotes": pick_quotes(quotes, r["topic_id"], "complaint", limit=2),
                "raw": r,
            }
        )
    out: dict[str, Any] = {"items": items, "followup": [], "queries": ["recommendations", "quotes"]}
    if has_table(log.con):
        for r in log.rows("recommendation_followup", brand_id=s.brand_id, week_start=s.week_start):
            result = verdict(r["n_complaints_then"], r["n_reviews_then"], r["n_complaints_now"], r["n_reviews_now"])
            out["followup"].append(
                {
                    "topic_id": r["topic_id"],
                    "label": s.label(r),
                    "team": t(f"team_{r['team']}"),
                    "verdict_key": result,
                    "verdict": t(f"followup_{result}"),
                    "detail": t(
                        "followup_detail",
                        then=f.number(r["n_complaints_then"]),
                        n_then=f.number(r["n_reviews_then"]),
                        now=f.number(r["n_complaints_now"]),
                        n_now=f.number(r["n_reviews_now"]),
                        week=r["recommended_in"],
                    ),
                }
            )
        out["queries"].append("recommendation_followup")
    return out


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
