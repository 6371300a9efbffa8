"""Open answers tagged through injected fakes, and the topic x NPS-segment cross-tab (its mart) by hand."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pytest

from warehouse.surveys.drivers import run_driver_analysis
from warehouse.surveys.importer import ImportResult
from warehouse.surveys.report import ensure_survey_marts
from warehouse.surveys.tagging import tag_open_answers, topics_by_nps_segment

KEYWORDS = {"доставк": "delivery", "поддержк": "support", "дорог": "price", "цен": "price", "продукт": "product"}


def fake_topics(texts: list[str]) -> list[list[str]]:
    return [sorted({t for k, t in KEYWORDS.items() if k in text.lower()}) for text in texts]


def fake_sentiment(texts: list[str]) -> list[tuple[str, float]]:
    out = []
    for text in texts:
        low = text.lower()
        if any(w in low for w in ("отлич", "хорош", "быстр")):
            out.append(("positive", 0.9))
        elif any(w in low for w in ("не ", "долго", "дорог", "медлен", "высок")):
            out.append(("negative", -0.8))
        else:
            out.append(("neutral", 0.0))
    return out


@dataclass
class Label:
    label: str
    score: float


def test_tagging_stores_sentiment_and_topics(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    result = tag_open_answers(con, fake_sentiment, fake_topics, model_name="fake")
    # open answers: r01 r02 r04 r05 r06 r07 r10 (r03 and r08 left the question blank)
    assert (result.n_answers, result.n_sentiment) == (7, 7)
    labels = dict(con.execute("select respondent_id, label from survey_answer_sentiment").fetchall())
    assert labels == {
        "r01": "positive", "r02": "positive", "r04": "negative", "r05": "negative", "r06": "negative",
        "r07": "positive", "r10": "negative",
    }  # fmt: skip
    topics = con.execute("select respondent_id, topic_id from survey_answer_topics order by 1, 2").fetchall()
    assert topics == [
        ("r01", "delivery"), ("r04", "price"), ("r05", "support"), ("r06", "price"), ("r06", "support"),
        ("r07", "product"), ("r10", "price"), ("r10", "support"),
    ]  # fmt: skip
    assert result.n_topic_rows == 8
    # already tagged: nothing to do the second time
    assert tag_open_answers(con, fake_sentiment, fake_topics, model_name="fake").n_answers == 0


def test_predictor_output_shapes(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    def objects(texts: list[str]) -> list[Label]:
        return [Label("NEUTRAL", 0.0) for _ in texts]

    class Batch:
        def __init__(self, n: int) -> None:
            self.labels, self.scores = ["positive"] * n, [0.5] * n

    tag_open_answers(con, objects, None, model_name="objects")
    tag_open_answers(con, lambda texts: Batch(len(texts)), None, model_name="batch")
    tag_open_answers(con, lambda texts: [{"label": "negative"} for _ in texts], None, model_name="dicts")
    got = con.execute("select model_name, min(label), max(score), count(*) from survey_answer_sentiment group by 1")
    assert sorted(got.fetchall()) == [("batch", "positive", 0.5, 7), ("dicts", "negative", None, 7),
                                      ("objects", "mixed", 0.0, 7)]  # a 3-class "neutral" reads as mixed  # fmt: skip
    with pytest.raises(ValueError, match="not one of"):
        tag_open_answers(con, lambda texts: ["great"] * len(texts), None, model_name="bad")
    with pytest.raises(ValueError, match="returned 1 results for 7 texts"):
        tag_open_answers(con, lambda texts: ["neutral"], None, model_name="short")
    assert con.execute(
        "select count(*) from survey_answer_sentiment where model_name in ('bad', 'short')"
    ).fetchone() == (0,)


def test_topics_by_nps_segment_by_hand(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    tag_open_answers(con, None, fake_topics)
    ensure_survey_marts(con)
    rows = {r.topic_id: r for r in topics_by_nps_segment(con)}
    assert {r.survey_id for r in rows.values()} == {"cx-2024-h1"}
    # respondents with an open answer and an NPS: promoters r01 r02 r07, passives r04 r10, detractors r05 r06
    support = rows["support"]  # r05 r06 (D), r10 (Pa)
    assert (support.n_detractors, support.n_passives, support.n_promoters) == (2, 1, 0)
    assert (support.share_detractors, support.share_passives, support.share_promoters) == pytest.approx((100, 50, 0))
    assert support.gap == pytest.approx(100)
    price = rows["price"]  # r06 (D), r04 r10 (Pa)
    assert (price.share_detractors, price.share_passives, price.gap) == pytest.approx((50, 100, 50))
    assert rows["delivery"].share_promoters == pytest.approx(100 / 3) and rows["delivery"].gap == pytest.approx(
        -100 / 3
    )
    # what detractors talk about that promoters don't comes first
    assert [r.topic_id for r in topics_by_nps_segment(con)] == ["support", "price", "delivery", "product"]
    assert topics_by_nps_segment(con, "cx-2024-h1") == topics_by_nps_segment(con)
    assert topics_by_nps_segment(con, "other") == []


def test_topics_feed_driver_analysis(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    tag_open_answers(con, None, fake_topics)
    result = run_driver_analysis(con, "cx-2024-h1", "nps", min_topic_mentions=3)
    drivers = sorted((d.kind, d.driver) for d in result.drivers)
    # support (r05 r06 r10) and price (r04 r06 r10) have 3 mentions among the 8 NPS respondents; the others fewer.
    # The topic "price" and the factor "price" are different drivers.
    assert drivers == [("factor", "price"), ("factor", "product"), ("factor", "service"), ("topic", "price"),
                       ("topic", "support")]  # fmt: skip
    assert sum(d.importance for d in result.drivers) == pytest.approx(result.r2)
    stored = con.execute("select driver_kind, driver from survey_drivers order by 1, 2").fetchall()
    assert stored == drivers


def test_the_sentiment_model_interface_plugs_in(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    """nlp.sentiment's SentimentModel.predict is accepted as is (a fake predict_proba, no model weights)."""
    base = pytest.importorskip("nlp.sentiment.base", reason="nlp.sentiment is not in this checkout")
    import numpy as np

    class Fixed(base.SentimentModel):
        name, version = "fixed", "1"

        def predict_proba(self, texts):  # type: ignore[no-untyped-def]
            return np.tile([0.7, 0.2, 0.1], (len(texts), 1))

    model = Fixed()
    tag_open_answers(con, model.predict, None, model_name=model.name)
    rows = con.execute("select distinct label, round(score, 6) from survey_answer_sentiment").fetchall()
    assert rows == [("negative", -0.6)]  # p_positive - p_negative = 0.1 - 0.7
