"""The survey marts: built by warehouse.marts with the other marts, contracts hold, every grain partitions the
respondents, and figures match hand-computed values (test_report.py checks the indices themselves by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import duckdb
import numpy as np
import pytest

from warehouse.marts import build_marts, check_contracts
from warehouse.surveys.drivers import run_driver_analysis
from warehouse.surveys.importer import ImportResult, import_survey
from warehouse.surveys.mapping import SurveyMapping, load_mapping
from warehouse.surveys.report import read_indices, survey_weights
from warehouse.surveys.tagging import tag_open_answers

from .conftest import RU_CSV, SURVEY_YAML
from .test_tagging import fake_topics

SURVEY_MARTS = [
    "mart_survey_indices", "mart_survey_factors", "mart_survey_topics_nps", "mart_survey_drivers",
    "mart_survey_vs_reviews",
]  # fmt: skip

# review_sentiment comes from migration 020 (the sentiment part); created from its contract when not there yet
SENTIMENT_DDL = """
create table if not exists review_sentiment (
    review_id varchar, content_hash varchar, model_name varchar, model_version varchar, language varchar,
    label varchar, score double, p_negative double, p_mixed double, p_positive double, p_none double default 0,
    classified_at timestamp,
    primary key (review_id, model_name));
"""


def _build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SENTIMENT_DDL)
    build_marts(con)
    assert [str(v) for v in check_contracts(con, marts=SURVEY_MARTS)] == []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The sample imported and every mart built once, for the read-only comparisons below."""
    from warehouse.db import connect

    con = connect(tmp_path_factory.mktemp("marts") / "molva.duckdb")
    import_survey(con, RU_CSV, load_mapping(SURVEY_YAML))
    _build(con)
    yield con
    con.close()


# the nine respondents' answer counts: NPS 8 (3 P, 3 Pa, 2 D), CSAT 9, CES 9 (see test_report.py)
TOTALS = (9, 8, 3, 3, 2, 9, 9)


@pytest.mark.parametrize("grain", ["all", "day", "week", "month", "quarter", "year"])
@pytest.mark.parametrize("dimension", ["all", "segment", "channel", "touchpoint"])
def test_every_grain_and_dimension_partitions_the_respondents(
    built: duckdb.DuckDBPyConnection, grain: str, dimension: str
) -> None:
    con = built
    totals = con.execute(
        "select sum(n_responses), sum(n_nps), sum(n_promoters), sum(n_passives), sum(n_detractors), sum(n_csat), "
        "sum(n_ces), count(*) filter (where is_undated) from mart_survey_indices "
        "where period_grain = ? and dimension = ?",
        [grain, dimension],
    ).fetchone()
    assert totals is not None and tuple(int(t) for t in totals) == (*TOTALS, 0)  # every sample response is dated
    rows = read_indices(con, dimension=dimension, period=grain)
    assert sum(r.n for r in rows) == 9
    if grain == "all":
        assert con.execute(
            "select distinct period_start from mart_survey_indices where period_grain = 'all'"
        ).fetchall() == [(datetime(1, 1, 1).date(),)]
        assert {r.period_start for r in rows} == {None}
    else:
        assert None not in {r.period_start for r in rows}
    if dimension == "all":  # the overall figures of the whole survey, whatever the grain's cut
        assert {r.value for r in rows} == {"all"}


def test_day_grain_by_hand(built: duckdb.DuckDBPyConnection) -> None:
    # one response a day, cut on the stored UTC timestamp (r01 answered 15.01 00:00 MSK = 14.01 21:00 UTC)
    rows = built.execute(
        "select strftime(period_start, '%m-%d'), n_responses, nps, csat from mart_survey_indices "
        "where period_grain = 'day' and dimension = 'all' order by period_start"
    ).fetchall()
    # NPS 10 9 8 7 6 3 10 - 8 and CSAT 5 4 4 3 2 1 5 4 2 (r08's NPS was out of scale)
    assert rows == [
        ("01-14", 1, 1.0, 1.0), ("01-19", 1, 1.0, 1.0), ("02-01", 1, 0.0, 1.0), ("02-09", 1, 0.0, 0.0),
        ("02-29", 1, -1.0, 0.0), ("03-14", 1, -1.0, 0.0), ("04-04", 1, 1.0, 1.0), ("04-11", 1, None, 1.0),
        ("04-29", 1, 0.0, 0.0),
    ]  # fmt: skip


def test_quarterly_nps_in_the_mart_by_hand(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    _build(con)
    rows = con.execute(
        "select period_start, n_nps, n_promoters, n_detractors, nps, csat_ci_low from mart_survey_indices "
        "where period_grain = 'quarter' and dimension = 'all' order by period_start"
    ).fetchall()
    assert [(str(r[0]), r[1], r[2], r[3]) for r in rows] == [("2024-01-01", 6, 2, 2), ("2024-04-01", 2, 1, 0)]
    assert [r[4] for r in rows] == pytest.approx([0.0, 0.5])
    # Q1 CSAT 3 satisfied of 6: Wilson low = (0.5 + 1.9208/6 - 1.96 * sqrt(0.25/6 + 0.9604/36)) / (1 + 3.8416/6)
    assert rows[0][5] == pytest.approx((0.5 + 1.9208 / 6 - 1.96 * (0.25 / 6 + 0.9604 / 36) ** 0.5) / (1 + 3.8416 / 6))


def test_factors_mart(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    _build(con)
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select factor, n_ratings, mean_norm, weight, weight_source, csi_contribution from mart_survey_factors"
        ).fetchall()
    }
    assert rows["product"][0] == 9 and rows["product"][1] == pytest.approx(22 / 36)
    assert [rows[f][2] for f in ("product", "service", "price")] == pytest.approx([0.5, 0.3, 0.2])
    assert {r[3] for r in rows.values()} == {"declared"}
    # contributions add up to the survey's CSI: 100 * 21.9 / 36
    assert sum(r[4] for r in rows.values()) == pytest.approx(100 * 21.9 / 36)


def test_correlation_weights_in_sql_match_python(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping) -> None:
    factors = {k: f.model_copy(update={"weight": None}) for k, f in ru_mapping.factors.items()}
    import_survey(con, RU_CSV, ru_mapping.model_copy(update={"factors": factors}))
    _build(con)
    sql = dict(con.execute("select factor, weight from mart_survey_factors").fetchall())
    weights, source = survey_weights(con, "cx-2024-h1")
    assert source == "correlation"
    assert sql == pytest.approx(weights)
    # by hand (numpy): Pearson r with overall = CSAT normalised, clipped at 0, normalised to sum 1
    overall = [(c - 1) / 4 for c in (5, 4, 4, 3, 2, 1, 5, 4, 2)]
    ratings = {
        "product": [(x - 1) / 4 for x in (5, 4, 4, 3, 2, 1, 5, 4, 3)],
        "service": [(x - 1) / 4 for x in (5, 5, 4, 4, 3, 2, 4, 4, 2)],
        "price": [(x - 1) / 4 for x in (4, 3, 4, 2, 2, 1, 5, 3, 3.5)],
    }
    r = {f: max(float(np.corrcoef(x, overall)[0, 1]), 0.0) for f, x in ratings.items()}
    assert sql == pytest.approx({f: v / sum(r.values()) for f, v in r.items()})
    assert con.execute("select distinct weight_source from mart_survey_factors").fetchall() == [("correlation",)]


def test_topics_and_drivers_marts(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    tag_open_answers(con, None, fake_topics)
    result = run_driver_analysis(con, "cx-2024-h1", "nps")
    _build(con)
    topics = {
        r[0]: r[1:]
        for r in con.execute(
            "select topic_id, share_detractors, share_passives, share_promoters, gap_detractors_promoters "
            "from mart_survey_topics_nps"
        ).fetchall()
    }
    assert topics["support"] == pytest.approx((1.0, 0.5, 0.0, 1.0))  # see test_tagging.py
    assert topics["price"] == pytest.approx((0.5, 1.0, 0.0, 0.5))
    assert topics["delivery"] == pytest.approx((0.0, 0.0, 1 / 3, -1 / 3))
    fix = con.execute(
        "select driver_kind, driver from mart_survey_drivers where is_fix_candidate order by fix_rank"
    ).fetchall()
    assert fix == [(d.kind, d.driver) for d in result.fix_first()]
    assert con.execute("select count(*), min(brand_id) from mart_survey_drivers").fetchone() == (
        len(result.drivers),
        "acme",
    )


def _review(con: duckdb.DuckDBPyConnection, review_id: str, stars: int, at: datetime) -> None:
    con.execute(
        "insert into reviews (review_id, brand_id, platform, external_id, rating, rating_min, rating_scale, "
        "rating_norm, text, published_at, first_seen_at, last_seen_at, content_hash) "
        "values (?, 'acme', 'otzovik', ?, ?, 1, 5, ?, 'text', ?, ?, ?, ?)",
        [review_id, review_id, stars, (stars - 1) / 4, at, at, at, f"h-{review_id}"],
    )


def test_survey_vs_reviews_by_hand(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    # reviews of acme in the week of 2024-01-15: 5, 4 and 2 stars -> CSAT 2/3, NPS proxy (1 promoter - 1) / 3 = 0
    for i, stars in enumerate((5, 4, 2)):
        _review(con, f"rv{i}", stars, datetime(2024, 1, 16, 12, 0))
    _review(con, "rv9", 1, datetime(2024, 5, 2, 12, 0))  # a quarter with reviews only... and survey answers too
    _build(con)
    rows = {
        (r[0], str(r[1])): r[2:]
        for r in con.execute(
            "select period_grain, period_start, n_survey_nps, survey_nps, survey_csat, n_review_rated, "
            "review_nps_proxy, review_csat, nps_gap, csat_gap from mart_survey_vs_reviews where brand_id = 'acme'"
        ).fetchall()
    }
    # week of 2024-01-15: survey r02 only (20.01 00:00 MSK = 19.01 21:00 UTC): NPS 9 -> +1, CSAT 4 -> 1
    assert rows[("week", "2024-01-15")] == pytest.approx((1, 1.0, 1.0, 3, 0.0, 2 / 3, 1.0, 1 / 3))
    # January: survey r01, r02 (both promoters, both satisfied); the same three reviews
    assert rows[("month", "2024-01-01")] == pytest.approx((2, 1.0, 1.0, 3, 0.0, 2 / 3, 1.0, 1 / 3))
    # Q1: survey NPS 0 (2 P, 2 D of 6), CSAT 3/6; reviews unchanged -> gaps 0 and 0.5 - 2/3
    assert rows[("quarter", "2024-01-01")] == pytest.approx((6, 0.0, 0.5, 3, 0.0, 2 / 3, 0.0, 0.5 - 2 / 3))
    # Q2: survey NPS 10 and 8 -> 0.5, CSAT 3 answers, 2 satisfied; one 1-star review -> proxy -1, CSAT 0
    assert rows[("quarter", "2024-04-01")] == pytest.approx((2, 0.5, 2 / 3, 1, -1.0, 0.0, 1.5, 2 / 3))
    # a week with survey answers but no reviews keeps its row, review side empty
    assert rows[("week", "2024-01-08")][3:6] == (0, None, None)


def test_nps_change_between_quarters(built: duckdb.DuckDBPyConnection) -> None:
    rows = built.execute(
        "select period_start, prev_period_start, nps_change, nps_change_p_value from mart_survey_indices "
        "where period_grain = 'quarter' and dimension = 'all' order by period_start"
    ).fetchall()
    assert rows[0][1:] == (None, None, None)  # the first quarter has nothing to compare with
    # Q1 -> Q2: +0.5, SE = sqrt(1/9 + 1/8), p = 0.3035 (see test_indices.test_nps_change_by_hand)
    assert str(rows[1][1]) == "2024-01-01"
    assert rows[1][2] == pytest.approx(0.5) and rows[1][3] == pytest.approx(0.3035, abs=1e-4)
