"""One main topic per sentence in the marts, and mart_impact's estimated lift with its interval, on hand-built rows."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from nlp.topics.main import SECONDARY_MARGIN, refresh_main_topics, refresh_sql
from tests.warehouse.test_marts import T0, Fixture
from warehouse.db import MIGRATIONS_DIR, connect, migrate
from warehouse.marts import build_marts, check_contracts


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "main.duckdb")
    yield connection
    connection.close()


def _weights(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int, str], tuple[bool, float]]:
    rows = con.execute("select review_id, sentence_index, topic_id, is_main, weight from sentence_topics").fetchall()
    return {(r, i, t): (m, w) for r, i, t, m, w in rows}


def test_main_topic_rule_secondary_only_when_as_strong(con: duckdb.DuckDBPyConnection) -> None:
    f = Fixture(con)
    f.brand("acme", own=True)
    for topic in ("delivery", "communication", "waiting", "returns"):
        f.topic(topic)
    f.topic("emerging-0001", kind="emerging")
    f.review("r1", "acme", "trustpilot", T0, rating=1)
    f.mention("r1", "delivery", "complaint", score=0.90)
    f.mention("r1", "communication", "complaint", score=0.90 - SECONDARY_MARGIN / 2)  # as strong: secondary
    f.mention("r1", "waiting", "complaint", score=0.60)  # far behind: kept, not counted
    f.mention("r1", "returns", "complaint", sentence=1, score=0.80)
    f.mention("r1", "waiting", "complaint", sentence=1, score=0.80 - 2 * SECONDARY_MARGIN)  # not as strong
    f.mention("r1", "emerging-0001", "complaint", sentence=2, score=0.95)
    f.mention("r1", "waiting", "complaint", sentence=2, score=0.40)  # a taxonomy topic beats an emerging one
    refresh_main_topics(con)
    w = _weights(con)
    assert w[("r1", 0, "delivery")] == (True, 0.5) and w[("r1", 0, "communication")] == (False, 0.5)
    assert w[("r1", 0, "waiting")] == (False, 0.0)
    assert w[("r1", 1, "returns")] == (True, 1.0) and w[("r1", 1, "waiting")] == (False, 0.0)
    assert w[("r1", 2, "waiting")] == (True, 1.0) and w[("r1", 2, "emerging-0001")] == (False, 0.0)
    sums = con.execute("select sum(weight) from sentence_topics group by review_id, sentence_index").fetchall()
    assert sorted(s for (s,) in sums) == [1.0, 1.0, 1.0]


def test_marts_count_main_topics_only(con: duckdb.DuckDBPyConnection) -> None:
    f = Fixture(con)
    f.brand("acme", own=True)
    for topic in ("delivery", "communication"):
        f.topic(topic)
    for i in range(5):
        f.review(f"r{i}", "acme", "trustpilot", T0 + timedelta(hours=i), rating=1)
        f.mention(f"r{i}", "delivery", "complaint", score=0.95)
        f.mention(f"r{i}", "communication", "complaint", score=0.60)  # a late courier also "scores" as notifications
    f.review("r9", "acme", "trustpilot", T0, rating=2)
    f.mention("r9", "communication", "complaint", score=0.90)
    for refreshed in (False, True):  # rows stored without weights fall back to the highest score in staging
        if refreshed:
            refresh_main_topics(con)
        build_marts(con)
        assert check_contracts(con) == []
        counts = dict(
            con.execute(
                "select topic_id, n_complaints from mart_topics_weekly"
                " where brand_id = 'acme' and iso_week = '2026-W02'"
            ).fetchall()
        )
        assert counts == {"delivery": 5, "communication": 1}
        evidence = con.execute(
            "select topic_id, list(review_id order by review_id) from mart_topic_evidence group by topic_id"
        ).fetchall()
        assert dict(evidence) == {"delivery": ["r0", "r1", "r2", "r3", "r4"], "communication": ["r9"]}


def test_migration_034_reassigns_rows_stored_before_it(tmp_path: Path) -> None:
    before = tmp_path / "migrations"
    before.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:3]) < 34:
            shutil.copy(path, before / path.name)
    con = duckdb.connect(str(tmp_path / "old.duckdb"))  # plain: a warehouse left at migration 033
    migrate(con, before)
    con.execute("insert into topics (topic_id, kind, first_seen_at, updated_at) values ('a', 'taxonomy', now(), now())")
    con.execute("insert into topics (topic_id, kind, first_seen_at, updated_at) values ('b', 'taxonomy', now(), now())")
    for topic, score in (("a", 0.5), ("b", 0.9)):
        con.execute(
            "insert into sentence_topics values ('r', 0, ?, ?, 'negative', 'complaint', 0, 3, 'h', now())",
            [topic, score],
        )
    migrate(con)  # the rest, 034 included
    assert _weights(con) == {("r", 0, "b"): (True, 1.0), ("r", 0, "a"): (False, 0.0)}
    con.close()
    sql = (MIGRATIONS_DIR / "034_sentence_topic_main.sql").read_text(encoding="utf-8")
    assert refresh_sql().strip() in sql  # the migration and nlp/topics/main.py apply the same rule


def test_impact_lift_and_interval_match_a_hand_computation(con: duckdb.DuckDBPyConnection) -> None:
    f = Fixture(con)
    f.brand("acme", own=True)
    for topic in ("delivery", "price"):
        f.topic(topic)
    ratings = {f"ok{i}": 5.0 for i in range(5)} | {"ok5": 4.0}
    ratings |= {"late1": 1.0, "late2": 2.0, "both": 1.0}
    for k, (review_id, rating) in enumerate(ratings.items()):
        f.review(review_id, "acme", "trustpilot", T0 + timedelta(hours=k), rating=rating)
    f.mention("late1", "delivery", "complaint")
    f.mention("late2", "delivery", "complaint")
    f.mention("both", "delivery", "complaint")
    f.mention("both", "price", "complaint", sentence=1)  # half of this review's complaints are about price
    refresh_main_topics(con)
    build_marts(con)
    assert check_contracts(con) == []
    row = con.execute(
        "select lift_estimate, lift_ci_low, lift_ci_high, lift_prev4w, priority_lift, impact_rank, n_rated_4w,"
        " n_rated_complaints_4w from mart_impact where topic_id = 'delivery' and iso_week = '2026-W02'"
    ).fetchone()
    assert row is not None
    lift, low, high, prev, priority, rank, n_rated, n_complaining = row
    free = np.array([5, 5, 5, 5, 5, 4], dtype=float)
    m = free.mean()
    x = np.array([m - 1, m - 2, 0.5 * (m - 1)] + [0.0] * 6)  # each rated review's share x (baseline - rating)
    assert (n_rated, n_complaining) == (9, 3)
    assert lift == pytest.approx(x.mean())
    se = np.sqrt(x.var(ddof=1) / 9 + (2.5 / 9) ** 2 * free.var(ddof=1) / 6)
    assert (low, high) == pytest.approx((x.mean() - 1.959964 * se, x.mean() + 1.959964 * se))
    assert prev is None and priority == pytest.approx(lift) and rank == 1  # no previous window: the lift itself
    means = con.execute(
        "select avg_rating_complaining, avg_rating_complaint_free from mart_impact"
        " where topic_id = 'delivery' and iso_week = '2026-W02'"
    ).fetchone()
    assert means == (pytest.approx(4 / 3), pytest.approx(m))
    price = con.execute(
        "select lift_estimate, impact_rank from mart_impact where topic_id = 'price' and iso_week = '2026-W02'"
    ).fetchone()
    assert price == (pytest.approx(0.5 * (m - 1) / 9), 2)


def test_priority_projects_the_change_against_the_4_weeks_before(con: duckdb.DuckDBPyConnection) -> None:
    f = Fixture(con)
    f.brand("acme", own=True)
    f.topic("delivery")
    for week, n_late in ((0, 1), (4, 3)):  # W02 (the window before W06's) and W06
        at = T0 + timedelta(weeks=week)
        for i in range(5):
            f.review(f"ok{week}-{i}", "acme", "trustpilot", at + timedelta(hours=i), rating=5)
        for i in range(n_late):
            f.review(f"late{week}-{i}", "acme", "trustpilot", at + timedelta(hours=10 + i), rating=1)
            f.mention(f"late{week}-{i}", "delivery", "complaint")
    refresh_main_topics(con)
    build_marts(con)
    assert check_contracts(con) == []
    lift, prev, change, priority = con.execute(
        "select lift_estimate, lift_prev4w, lift_change, priority_lift from mart_impact"
        " where topic_id = 'delivery' and iso_week = '2026-W06'"
    ).fetchone()  # type: ignore[misc]
    assert lift == pytest.approx(3 * 4 / 8) and prev == pytest.approx(4 / 6)
    assert change == pytest.approx(lift - prev) and priority == pytest.approx(2 * lift - prev)
