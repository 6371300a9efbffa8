"""Marts on small fixture warehouses built in the test, checked against values computed by hand.

The enrichment tables are created from their fixed contracts (docs/architecture.md) when the enrichment migrations
have not landed yet, so these tests exercise only the staging and mart SQL.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse.db import connect
from warehouse.marts import build_marts, check_contracts, discover_models, parse_contract

SENTIMENT_DDL = """
create table if not exists review_sentiment (
    review_id varchar, content_hash varchar, model_name varchar, model_version varchar, language varchar,
    label varchar, score double, p_negative double, p_mixed double, p_positive double, p_none double default 0,
    classified_at timestamp,
    primary key (review_id, model_name));
create table if not exists sentence_sentiment (
    review_id varchar, sentence_index integer, content_hash varchar, start_char integer, end_char integer,
    sentence_text varchar, language varchar, label varchar, score double, p_negative double, p_mixed double,
    p_positive double, p_none double default 0, model_name varchar, model_version varchar, classified_at timestamp,
    primary key (review_id, sentence_index, model_name));
"""

T0 = datetime(2026, 1, 5, 10, 0)  # a Monday: ISO week 2026-W02


def wilson(k: int, n: int) -> tuple[float, float]:
    """Reference Wilson interval written from the textbook formula, independent of the SQL macro."""
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


class Fixture:
    """Inserts rows straight into the raw and enrichment tables with only the fields a test cares about."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(SENTIMENT_DDL)

    def brand(self, brand_id: str, *, own: bool = False) -> None:
        self.con.execute("insert into brands values (?, ?, ?, [], ?, now())", [brand_id, brand_id.title(), None, own])

    def source(self, source_id: str, brand_id: str, platform: str) -> None:
        self.con.execute(
            "insert into sources values (?, ?, ?, null, null, null, true, now())", [source_id, brand_id, platform]
        )

    def review(
        self,
        review_id: str,
        brand_id: str,
        platform: str,
        at: datetime,
        *,
        rating: float | None = None,
        scale: float = 5.0,
        kind: str = "review",
        text: str = "text",
        reply_hours: float | None = None,
        sentiment: str | None = None,
        source_id: str | None = None,
    ) -> None:
        norm = None if rating is None else (rating - 1) / (scale - 1)
        reply_at = None if reply_hours is None else at + timedelta(hours=reply_hours)
        self.con.execute(
            "insert into reviews (review_id, source_id, brand_id, platform, external_id, kind, rating, rating_min,"
            " rating_scale, rating_norm, text, published_at, first_seen_at, last_seen_at, content_hash, reply_text,"
            " reply_at) values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                review_id, source_id, brand_id, platform, review_id, kind, rating, scale, norm, text, at, at, at,
                f"h-{review_id}", "Thanks" if reply_hours is not None else None, reply_at,
            ],
        )  # fmt: skip
        if sentiment:
            self.sentiment(review_id, sentiment)

    def sentiment(self, review_id: str, label: str, *, model: str = "molva", stale: bool = False, at: int = 0) -> None:
        score = {"negative": -0.8, "mixed": 0.0, "none": 0.0, "positive": 0.8}[label]
        content_hash = "old-hash" if stale else f"h-{review_id}"
        self.con.execute(
            "insert or replace into review_sentiment values (?, ?, ?, '1', 'en', ?, ?, 0, 0, 0, 0, ?)",
            [review_id, content_hash, model, label, score, datetime(2026, 3, 1) + timedelta(minutes=at)],
        )

    def topic(self, topic_id: str, *, kind: str = "taxonomy", status: str = "active", merged_into: str | None = None):
        self.con.execute(
            "insert into topics (topic_id, label_en, label_ru, kind, status, merged_into, stage, first_seen_at,"
            " updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, now())",
            [topic_id, topic_id.title(), None, kind, status, merged_into,
             "delivery" if kind == "taxonomy" else None, T0],
        )  # fmt: skip

    def mention(self, review_id: str, topic_id: str, kind: str, *, sentence: int = 0, score: float = 0.9) -> None:
        polarity = {"complaint": "negative", "praise": "positive", "neutral": "neutral"}[kind]
        self.con.execute(
            "insert into sentence_topics (review_id, sentence_index, topic_id, score, polarity, kind, start_char, "
            "end_char, content_hash, assigned_at) values (?, ?, ?, ?, ?, ?, 0, 4, ?, now())",
            [review_id, sentence, topic_id, score, polarity, kind, f"h-{review_id}"],
        )

    def flag(self, review_id: str, flag: str) -> None:
        self.con.execute("insert into review_flags values (?, ?, 'test')", [review_id, flag])

    def duplicate(self, review_id: str, canonical_id: str) -> None:
        self.con.execute(
            "insert into duplicate_clusters values (?, ?, ?, 0.95)",
            [review_id, canonical_id, review_id == canonical_id],
        )


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "marts.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def basic(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """One week of an own brand (acme) and a competitor (rival) with the cases staging must handle."""
    f = Fixture(con)
    f.brand("acme", own=True)
    f.brand("rival")
    f.review("r1", "acme", "trustpilot", T0, rating=5, reply_hours=2, sentiment="positive")
    f.sentiment("r1", "negative", model="other", at=5)  # newer, but not the configured model
    f.review("r2", "acme", "trustpilot", T0 + timedelta(hours=2), rating=4, sentiment="positive")
    f.sentiment("r2", "negative", model="other", stale=True, at=9)  # classified from an older text: ignored
    f.review("r3", "acme", "appstore", T0 + timedelta(days=1), rating=1, reply_hours=10, sentiment="negative")
    f.review("r4", "acme", "appstore", T0 + timedelta(days=1), rating=2, sentiment="negative")
    f.duplicate("r3", "r3")
    f.duplicate("r4", "r3")  # syndicated copy of r3: counted once
    f.review("r5", "acme", "trustpilot", T0 + timedelta(days=2), rating=3, sentiment="mixed")
    f.flag("r5", "advertising")  # spam: left out
    f.review("r6", "acme", "reddit", T0 + timedelta(days=2), kind="mention", sentiment="none")  # no opinion
    f.review("r7", "acme", "yandex_maps", T0 + timedelta(days=3), rating=8, scale=10)  # 8/10 -> 4.11 -> 4 stars
    for i in range(4):
        f.review(f"c{i}", "rival", "trustpilot", T0 + timedelta(hours=i), rating=2 + i, sentiment="mixed")
    return con


def test_models_discovered_in_dependency_order() -> None:
    names = [m.name for m in discover_models()]
    assert names.index("stg_topics") < names.index("stg_sentence_topics") < names.index("mart_topics_weekly")
    assert names.index("mart_topics_weekly") < names.index("mart_impact")
    assert names.index("mart_topics_weekly") < names.index("mart_competitors")
    for name in ("mart_brand_period", "mart_topics_weekly", "mart_competitors", "mart_impact"):
        assert name in names


def test_contract_block_parsed() -> None:
    sql = "-- title\n-- contract:\n--   unique_key: [a, b]\n--   not_null: [a]\nselect 1"
    assert parse_contract(sql) == {"unique_key": ["a", "b"], "not_null": ["a"]}
    assert parse_contract("select 1") == {}


def test_brand_week_metrics_match_hand_computation(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model="molva")
    row = basic.execute(
        "select n_items, n_reviews, n_mentions, n_rated, avg_rating, n_1, n_2, n_3, n_4, n_5, csat, csat_ci_low,"
        " csat_ci_high, nps_proxy, n_sentiment, share_negative, share_mixed, share_positive, net_sentiment,"
        " n_replied, reply_rate, median_reply_hours, period_label, period_end, is_own"
        " from mart_brand_period where brand_id = 'acme' and platform = 'all' and period_grain = 'week'"
    ).fetchone()
    assert row is not None
    (n_items, n_reviews, n_mentions, n_rated, avg_rating, n1, n2, n3, n4, n5, csat, lo, hi, nps, n_sent, neg, neu, pos,
     net, n_replied, reply_rate, median_reply, label, period_end, is_own) = row  # fmt: skip
    # counted: r1 r2 r3 r6 r7 (r4 duplicate of r3, r5 spam)
    assert (n_items, n_reviews, n_mentions, n_rated) == (5, 4, 1, 4)
    assert avg_rating == pytest.approx((5 + 4 + 1 + (1 + 4 * 7 / 9)) / 4)
    assert (n1, n2, n3, n4, n5) == (1, 0, 0, 2, 1)
    assert csat == pytest.approx(0.75)
    assert (lo, hi) == pytest.approx(wilson(3, 4), abs=1e-4)
    assert nps == pytest.approx(1 / 4 - 1 / 4)
    # sentiment: r1 positive (configured model beats the newer 'other'), r2 positive (stale row ignored),
    # r3 negative, r6 no opinion (classified, but in no share); r7 unclassified
    assert n_sent == 4
    assert (neg, neu, pos, net) == pytest.approx((1 / 3, 0.0, 2 / 3, 1 / 3))
    opinions = basic.execute(
        "select n_opinion, n_no_opinion, share_no_opinion, n_mixed from mart_brand_period"
        " where brand_id = 'acme' and platform = 'all' and period_grain = 'week'"
    ).fetchone()
    assert opinions == (3, 1, pytest.approx(0.25), 0)
    rival = basic.execute(
        "select n_opinion, n_mixed, share_mixed, net_sentiment from mart_brand_period"
        " where brand_id = 'rival' and platform = 'all' and period_grain = 'week'"
    ).fetchone()
    assert rival == (4, 4, pytest.approx(1.0), pytest.approx(0.0))
    assert (n_replied, reply_rate, median_reply) == (2, pytest.approx(0.5), pytest.approx(6.0))
    assert label == "2026-W02" and str(period_end) == "2026-01-11" and is_own is True


def test_latest_model_used_when_none_configured(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model=None)
    neg = basic.execute(
        "select n_negative from mart_brand_period"
        " where brand_id = 'acme' and platform = 'all' and period_grain = 'week'"
    ).fetchone()
    assert neg == (2,)  # r1 now takes the newer 'other' model's negative label; r3 negative


def test_platform_rows_and_day_grain(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model="molva")
    rows = dict(
        basic.execute(
            "select platform, n_items from mart_brand_period"
            " where brand_id = 'acme' and period_grain = 'week' order by platform"
        ).fetchall()
    )
    assert rows == {"all": 5, "appstore": 1, "reddit": 1, "trustpilot": 2, "yandex_maps": 1}
    day = basic.execute(
        "select n_items, avg_rating from mart_brand_period"
        " where brand_id = 'acme' and period_grain = 'day' and platform = 'all' and period_start = '2026-01-05'"
    ).fetchone()
    assert day == (2, pytest.approx(4.5))


def test_contracts_hold_and_rebuild_is_identical(basic: duckdb.DuckDBPyConnection) -> None:
    first = build_marts(basic, sentiment_model="molva")
    assert check_contracts(basic) == []
    snapshot = {t: basic.execute(f"select * from {t} order by all").fetchall() for t in first.rows}
    second = build_marts(basic, sentiment_model="molva")
    assert second.rows == first.rows
    assert {t: basic.execute(f"select * from {t} order by all").fetchall() for t in second.rows} == snapshot


def test_contract_violation_is_reported(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model="molva")
    basic.execute("insert into mart_brand_period select * from mart_brand_period limit 1")
    basic.execute("update mart_brand_period set period_grain = 'quarter' where brand_id = 'rival'")
    found = {(v.mart, v.check) for v in check_contracts(basic, marts=["mart_brand_period"])}
    assert ("mart_brand_period", "unique_key") in found
    assert ("mart_brand_period", "accepted_values") in found


def test_competitor_difference_ci_and_share_of_voice(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model="molva")
    csat = basic.execute(
        "select own_value, competitor_value, difference, difference_ci_low, difference_ci_high, p_value,"
        " is_significant, own_n, competitor_n from mart_competitors"
        " where time_window = 'week' and competitor_brand_id = 'rival' and metric = 'csat'"
    ).fetchone()
    assert csat is not None
    own, comp, diff, lo, hi, p, sig, own_n, comp_n = csat
    # rival ratings 2,3,4,5 -> csat 2/4
    assert (own, comp, diff) == pytest.approx((0.75, 0.5, 0.25))
    se = math.sqrt(0.75 * 0.25 / 4 + 0.5 * 0.5 / 4)
    assert (lo, hi) == pytest.approx((0.25 - 1.96 * se, 0.25 + 1.96 * se))
    assert p == pytest.approx(math.erfc(0.25 / se / math.sqrt(2)), abs=1e-6)
    assert sig is False and (own_n, comp_n) == (4, 4)  # too few reviews to call it
    sov = basic.execute(
        "select own_value, competitor_value from mart_competitors"
        " where time_window = 'week' and metric = 'share_of_voice'"
    ).fetchone()
    assert sov == pytest.approx((5 / 9, 4 / 9))


def _trend_warehouse(con: duckdb.DuckDBPyConnection) -> Fixture:
    """Six weeks x 30 reviews of one brand: 'delivery' complaints 1/week, then 10 in week 5, then 2.

    'price' gets 3 complaints in week 5 only (a jump, but under the minimum count); 'late' was merged into 'delivery'.
    Ratings: reviews complaining about delivery get 1 star, every other review 5 stars.
    """
    f = Fixture(con)
    f.brand("acme", own=True)
    f.brand("rival")
    for t in ("delivery", "price", "late"):
        f.topic(t, status="merged" if t == "late" else "active", merged_into="delivery" if t == "late" else None)
    f.topic("emerging-0001", kind="emerging")
    complaints = {0: 1, 1: 1, 2: 1, 3: 1, 4: 10, 5: 2}
    for week in range(6):
        for i in range(30):
            rid = f"w{week}r{i}"
            complaining = i < complaints[week]
            f.review(rid, "acme", "trustpilot", T0 + timedelta(weeks=week, hours=i), rating=1 if complaining else 5)
            if complaining:
                f.mention(rid, "late" if (week == 4 and i == 0) else "delivery", "complaint")
            if week == 4 and 10 <= i < 13:
                f.mention(rid, "price", "complaint")
            if week == 5 and i == 29:
                f.mention(rid, "emerging-0001", "praise")
        f.review(f"rv{week}", "rival", "trustpilot", T0 + timedelta(weeks=week), rating=3)
    return f


def test_topics_weekly_counts_change_and_anomaly(con: duckdb.DuckDBPyConnection) -> None:
    _trend_warehouse(con)
    build_marts(con)
    assert check_contracts(con) == []
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select iso_week, n_mentions, n_complaints, n_reviews_week, prev4_complaints, prev4_reviews,"
            " expected_complaints, anomaly_p_value, is_anomaly, anomaly_reason, change_complaints"
            " from mart_topics_weekly where brand_id = 'acme' and topic_id = 'delivery' order by week_start"
        ).fetchall()
    }
    assert list(rows) == ["2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07"]
    spike = rows["2026-W06"]
    assert spike[:5] == (10, 10, 30, 4, 120)  # the merged 'late' complaint counts under delivery
    expected = 30 * 4.5 / 120
    assert spike[5] == pytest.approx(expected)
    p_ref = 1 - sum(math.exp(-expected) * expected**i / math.factorial(i) for i in range(10))
    assert spike[6] == pytest.approx(p_ref, rel=1e-6)
    assert spike[7] is True and "10 complaints vs 1.1 expected" in spike[8]
    assert spike[9] == pytest.approx(10 - 1.0)
    after = rows["2026-W07"]
    assert after[:5] == (2, 2, 30, 13, 120) and after[7] is False and after[8] is None
    # the lower of the 4-week rate (13 + 0.5) / 120 and the 8-week rate (14 + 0.5) / 150 (only five weeks exist)
    assert after[5] == pytest.approx(30 * min(13.5 / 120, 14.5 / 150))
    price = con.execute(
        "select n_complaints, anomaly_p_value < 0.01, is_anomaly from mart_topics_weekly"
        " where topic_id = 'price' and iso_week = '2026-W06'"
    ).fetchone()
    assert price == (3, True, False)  # significant jump but under the minimum count of 5
    emerging = con.execute(
        "select topic_kind, n_praise, is_new_topic, share_reviews from mart_topics_weekly"
        " where topic_id = 'emerging-0001' and iso_week = '2026-W07'"
    ).fetchone()
    assert emerging == ("emerging", 1, True, pytest.approx(1 / 30))
    assert con.execute("select count(*) from mart_topics_weekly where topic_id = 'late'").fetchone() == (0,)


def test_impact_components(con: duckdb.DuckDBPyConnection) -> None:
    _trend_warehouse(con)
    build_marts(con)
    row = con.execute(
        "select n_items_4w, n_mentions_4w, n_complaints_4w, frequency, negativity, avg_rating_with_topic,"
        " avg_rating_without_topic, rating_gap, trend_factor, impact_score, impact_rank"
        " from mart_impact where brand_id = 'acme' and topic_id = 'delivery' and iso_week = '2026-W07'"
    ).fetchone()
    assert row is not None
    n_items, n_mentions, n_complaints, freq, neg, with_t, without_t, gap, trend, impact, rank = row
    # window W04..W07: complaints 1 + 1 + 10 + 2 = 14 of 120 reviews; previous window W02..W03 (2 weeks): 2 of 60
    assert (n_items, n_mentions, n_complaints) == (120, 14, 14)
    assert freq == pytest.approx(14 / 120) and neg == pytest.approx(1.0)
    # delivery complaints are 1-star, price complainers (W06, 3 reviews) are 5-star like the rest
    assert (with_t, without_t, gap) == pytest.approx((1.0, 5.0, 4.0))
    expected_prev = 2 * 120 / 60
    assert trend == pytest.approx((14 + 1) / (expected_prev + 1))
    assert impact == pytest.approx(14 / 120 * 1.0 * 5.0 * trend)
    assert rank == 1


def test_competitor_topic_share_compares_against_zero(con: duckdb.DuckDBPyConnection) -> None:
    _trend_warehouse(con)
    build_marts(con)
    row = con.execute(
        "select own_value, competitor_value, competitor_n, metric_key from mart_competitors"
        " where time_window = '4w' and iso_week = '2026-W07' and metric = 'topic_complaint_share'"
        " and topic_id = 'delivery'"
    ).fetchone()
    assert row == (pytest.approx(14 / 120), 0.0, 4, "topic_complaint_share:delivery")


def test_evidence_and_source_health(con: duckdb.DuckDBPyConnection) -> None:
    f = _trend_warehouse(con)
    f.source("acme-tp", "acme", "trustpilot")
    con.execute("update reviews set source_id = 'acme-tp' where brand_id = 'acme'")
    con.execute(
        "insert into crawl_runs (run_id, source_id, started_at, status, n_items) values"
        " ('a', 'acme-tp', '2026-02-01', 'success', 180), ('b', 'acme-tp', '2026-02-02', 'failed', 0)"
    )
    build_marts(con)
    assert check_contracts(con) == []
    ev = con.execute(
        "select count(*), max(evidence_rank), min(sentence_text) from mart_topic_evidence"
        " where topic_id = 'delivery' and iso_week = '2026-W06' and mention_kind = 'complaint'"
    ).fetchone()
    assert ev == (5, 5, "text")  # up to 5 per topic, week and kind
    health = con.execute(
        "select n_reviews_stored, n_runs, n_failed_runs, last_run_status from mart_source_health"
    ).fetchone()
    assert health == (180, 2, 1, "failed")


def test_merged_topic_on_the_same_sentence_counts_once(con: duckdb.DuckDBPyConnection) -> None:
    f = Fixture(con)
    f.brand("acme", own=True)
    f.topic("delivery")
    f.topic("late", status="merged", merged_into="delivery")
    f.review("r1", "acme", "trustpilot", T0, rating=1)
    f.mention("r1", "delivery", "complaint", score=0.7)
    f.mention("r1", "late", "complaint", score=0.9)  # same sentence, merged topic: the surviving topic's row is kept
    f.review("r2", "acme", "trustpilot", T0, rating=2)
    f.mention("r2", "late", "complaint", sentence=1, score=0.8)
    build_marts(con)
    rows = con.execute("select review_id, topic_id, topic_score from stg_sentence_topics order by all").fetchall()
    assert rows == [("r1", "delivery", 0.7), ("r2", "delivery", 0.8)]
    assert con.execute("select n_complaints from mart_topics_weekly").fetchall() == [(2,)]


def test_counts_are_bigint_not_hugeint(basic: duckdb.DuckDBPyConnection) -> None:
    build_marts(basic, sentiment_model="molva")
    wide = basic.execute(
        "select table_name, column_name from information_schema.columns where table_name like 'mart_%'"
        " and table_name not like 'mart_survey_%' and (data_type = 'HUGEINT' or data_type like 'DECIMAL%')"
    ).fetchall()
    assert wide == []


def test_every_mart_column_is_documented(basic: duckdb.DuckDBPyConnection) -> None:
    """docs/marts.md is the digest's contract: each column of each mart appears in its mart's section."""
    import re

    build_marts(basic, sentiment_model="molva")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "marts.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (mart_\w+)\n(.*?)(?=^## |\Z)", doc, flags=re.M | re.S))
    missing = {}
    for mart in ("mart_brand_period", "mart_topics_weekly", "mart_competitors", "mart_impact", "mart_topic_evidence",
                 "mart_source_health"):  # fmt: skip
        columns = [r[0] for r in basic.execute(f"describe {mart}").fetchall()]
        documented = set(re.findall(r"`(\w+)`", sections.get(mart, "")))
        undocumented = [c for c in columns if c not in documented]
        if undocumented:
            missing[mart] = undocumented
    assert missing == {}


def test_impact_carries_the_latest_survey_nps_driver_share(con: duckdb.DuckDBPyConnection) -> None:
    _trend_warehouse(con)
    for survey_id, at, share, rank in (
        ("s-old", datetime(2026, 1, 1), 0.9, 1),
        ("s-new", datetime(2026, 2, 1), 0.4, 2),
    ):
        con.execute(
            "insert into surveys (survey_id, brand_id, name, updated_at) values (?, 'acme', ?, ?)",
            [survey_id, survey_id, at],
        )
        con.execute(
            "insert into survey_drivers values (?, 'nps', 'delivery', 'topic', 'shapley', ?, ?, -1, 0.3, 0.1, ?,"
            " 0.5, 200, ?)",
            [survey_id, share * 0.5, share, rank, at],
        )
    build_marts(con)
    assert check_contracts(con) == []
    rows = con.execute(
        "select topic_id, survey_driver_survey_id, survey_nps_driver_share, survey_fix_rank from mart_impact"
        " where brand_id = 'acme' and iso_week = '2026-W07' order by topic_id"
    ).fetchall()
    by_topic = {r[0]: r[1:] for r in rows}
    assert by_topic["delivery"] == ("s-new", pytest.approx(0.4), 2)  # the latest survey wins
    assert all(v == (None, None, None) for k, v in by_topic.items() if k != "delivery")
