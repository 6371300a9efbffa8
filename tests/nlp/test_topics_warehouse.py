"""Warehouse enrichment: sentence_topics with evidence, reruns, emerging topics with stable ids, merge/promote."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from nlp.topics.emerging import update_emerging
from nlp.topics.enrich import enrich_topics
from nlp.topics.manage import TopicError, merge, promote, rename
from nlp.topics.taxonomy import Taxonomy, load_taxonomy
from tests.nlp.test_topics import SMALL
from tests.nlp.topics_fakes import LemmaHashEmbedder, keyword_polarity

NOW = datetime(2026, 11, 30, 3, 0)
PARKING = [
    "Парковка возле магазина забита, машину поставить негде.",
    "Машину поставить негде, парковка забита.",
    "Парковка забита с утра, машину поставить негде совсем.",
    "Опять парковка забита и машину поставить негде.",
]


def _review(con: duckdb.DuckDBPyConnection, rid: str, text: str, chash: str = "h1", seen: datetime = NOW) -> None:
    con.execute("delete from reviews where review_id = ?", [rid])
    con.execute(
        "insert into reviews (review_id, platform, external_id, text, language, first_seen_at, last_seen_at, "
        "content_hash) values (?, 'test', ?, ?, 'ru', ?, ?, ?)",
        [rid, rid, text, seen, seen, chash],
    )


@pytest.fixture
def taxonomy() -> Taxonomy:
    return Taxonomy.model_validate(SMALL)


def test_sentences_get_topics_polarity_and_offsets(warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy) -> None:
    text = "Курьер опоздал на два часа. Сайт удобный, спасибо!"
    _review(warehouse, "r1", text)
    _review(warehouse, "r2", "Всем привет.")
    emb = LemmaHashEmbedder()
    stats = enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, polarity=keyword_polarity, now=NOW)
    assert stats["n_reviews"] == 2 and stats["topics_n_new"] == 3
    rows = warehouse.execute(
        "select review_id, sentence_index, topic_id, polarity, kind, start_char, end_char from sentence_topics "
        "order by sentence_index"
    ).fetchall()
    assert ("r1", 0, "delivery", "neutral", "neutral", 0, 27) in rows
    assert ("r1", 1, "app", "positive", "praise", 28, len(text)) in rows
    assert {r[0] for r in rows} == {"r1"}
    for _, _, _, _, _, start, end in rows:
        assert text[start:end].strip()
    # A rerun finds nothing new: the state table remembers reviews whose sentences matched no topic, too.
    assert enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)["n_reviews"] == 0


def test_sentence_sentiment_rows_give_sentences_and_polarity(
    warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy
) -> None:
    text = "Доставка задержалась. Официант был вежливый."
    _review(warehouse, "r1", text)
    for idx, (start, end, label) in enumerate([(0, 21, "negative"), (22, len(text), "positive")]):
        warehouse.execute(
            "insert into sentence_sentiment values (?, ?, 'h1', ?, ?, ?, 'ru', ?, 0, 0.2, 0.6, 0.2, 0, 'm', '1', ?)",
            ["r1", idx, start, end, text[start:end], label, NOW],
        )
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=LemmaHashEmbedder(), now=NOW)
    rows = warehouse.execute("select sentence_index, topic_id, kind from sentence_topics order by 1").fetchall()
    assert rows == [(0, "delivery", "complaint"), (1, "staff", "praise")]
    # With a calibrated band the score decides: both rows have score 0 (p_pos = p_neg), inside any band -> neutral.
    data = taxonomy.model_dump()
    data["calibration"]["polarity_band"] = 0.1
    enrich_topics(warehouse, taxonomy=Taxonomy.model_validate(data), embedder=LemmaHashEmbedder(), now=NOW, retag=True)
    kinds = warehouse.execute("select kind from sentence_topics order by sentence_index").fetchall()
    assert kinds == [("complaint",), ("praise",)]  # insert-only: assigned rows keep their values on a retag
    _review(warehouse, "r2", "Курьер опоздал.", chash="h2")
    warehouse.execute(
        "insert into sentence_sentiment values ('r2', 0, 'h2', 0, 15, 'Курьер опоздал.', 'ru', 'mixed', -0.5, "
        "0.6, 0.3, 0.1, 0, 'm', '1', ?)",
        [NOW],
    )
    enrich_topics(warehouse, taxonomy=Taxonomy.model_validate(data), embedder=LemmaHashEmbedder(), now=NOW)
    assert warehouse.execute("select polarity, kind from sentence_topics where review_id = 'r2'").fetchall() == [
        ("negative", "complaint")
    ]  # the model said mixed, but its score -0.5 is outside the band


def _ambiguous_reviews(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Two reviews of a 'none' and a 'mixed' sentence: r1 with a negative review row, r2 without one."""
    text = "Ждал доставку весь вечер. Курьер опоздал."
    for rid, review_row in (("r1", ("negative", -0.8, 0.85, 0.1, 0.05)), ("r2", None)):
        _review(warehouse, rid, text)
        for idx, (start, end, label, probs) in enumerate(
            [(0, 25, "none", (0.2, 0.1, 0.25, 0.45)), (26, len(text), "mixed", (0.3, 0.45, 0.25, 0.0))]
        ):
            warehouse.execute(
                "insert into sentence_sentiment values (?, ?, 'h1', ?, ?, ?, 'ru', ?, ?, ?, ?, ?, ?, 'm', '1', ?)",
                [rid, idx, start, end, text[start:end], label, probs[2] - probs[0], *probs, NOW],
            )
        if review_row is not None:
            label, score, *probs = review_row
            warehouse.execute(
                "insert into review_sentiment (review_id, content_hash, model_name, model_version, language, label,"
                " score, p_negative, p_mixed, p_positive, p_none, classified_at)"
                " values (?, 'h1', 'm', '1', 'ru', ?, ?, ?, ?, ?, 0, ?)",
                [rid, label, score, *probs, NOW],
            )


def test_an_ambiguous_sentence_is_read_in_its_review(warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy) -> None:
    """A sentence the model calls 'none' or 'mixed' leans with the review's own sentiment (same model, same
    content); without a review row it keeps the sentence-only rule."""
    _ambiguous_reviews(warehouse)
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=LemmaHashEmbedder(), now=NOW)
    rows = warehouse.execute(
        "select review_id, sentence_index, polarity from sentence_topics where topic_id = 'delivery' order by 1, 2"
    ).fetchall()
    assert rows == [("r1", 0, "negative"), ("r1", 1, "negative"), ("r2", 0, "positive"), ("r2", 1, "neutral")]


def test_a_fitted_polarity_model_decides_instead_of_the_rule(
    warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy
) -> None:
    """With ``calibration.polarity_model`` the topic stage reads polarity from the model's inputs (sentence and
    review probabilities): here a model that follows the review's p_negative against its p_positive."""
    from nlp.topics.polarity_model import PROBABILITY_INPUTS, PolarityModel

    _ambiguous_reviews(warehouse)
    model = PolarityModel(
        inputs=list(PROBABILITY_INPUTS),
        coef=[[0, 0, 0, 0, 1, 0, 0, 0], [0] * 8, [0, 0, 0, 0, 0, 0, 1, 0]],
        intercept=[0.0, -1.5, 0.0],
    )
    fitted = taxonomy.model_copy(deep=True)
    fitted.calibration.polarity_model = model
    enrich_topics(warehouse, taxonomy=fitted, embedder=LemmaHashEmbedder(), now=NOW)
    rows = warehouse.execute(
        "select review_id, sentence_index, polarity from sentence_topics where topic_id = 'delivery' order by 1, 2"
    ).fetchall()
    # r1: the review's p_negative 0.85 wins; r2 (no review row: the sentence's own probabilities): 0.25 > 0.2 ->
    # positive, then 0.3 > 0.25 -> negative (the rule said neutral for the 'mixed' sentence)
    assert rows == [("r1", 0, "negative"), ("r1", 1, "negative"), ("r2", 0, "positive"), ("r2", 1, "negative")]

    voting = model.model_copy(update={"inputs": [*PROBABILITY_INPUTS, "vote_negative", "vote_neutral",
                                                 "vote_positive"]})  # fmt: skip
    voting.coef = [[*row, 0.0, 0.0, 0.0] for row in model.coef]
    fitted.calibration.polarity_model = voting
    with pytest.raises(ValueError, match="names no exemplar file"):
        enrich_topics(warehouse, taxonomy=fitted, embedder=LemmaHashEmbedder(), now=NOW, retag=True)


def test_changed_review_is_retagged_and_unchanged_ids_stay(
    warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy
) -> None:
    emb = LemmaHashEmbedder()
    _review(warehouse, "r1", "Курьер опоздал.")
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)
    _review(warehouse, "r1", "Сайт не открывается.", chash="h2")
    stats = enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)
    assert stats["n_reviews"] == 1
    assert warehouse.execute("select topic_id, content_hash from sentence_topics").fetchall() == [("app", "h2")]


def test_taxonomy_changes_bump_version_and_retire(warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy) -> None:
    emb = LemmaHashEmbedder()
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)
    data = taxonomy.model_dump()
    data["topics"][0]["seeds"]["en"].append("parcel")
    data["topics"] = data["topics"][:2]
    stats = enrich_topics(warehouse, taxonomy=Taxonomy.model_validate(data), embedder=emb, now=NOW)
    assert stats["topics_n_changed"] == 1 and stats["topics_n_retired"] == 1
    rows = dict(warehouse.execute("select topic_id, version || status from topics").fetchall())
    assert rows == {"delivery": "2active", "staff": "1active", "app": "1retired"}


def test_emerging_topics_keep_their_ids_across_runs(warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy) -> None:
    emb = LemmaHashEmbedder()
    for i, text in enumerate(PARKING):
        _review(warehouse, f"p{i}", text)
    _review(warehouse, "old", PARKING[0], seen=NOW - timedelta(days=90))  # outside the window
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)
    calls = emb.calls
    first = update_emerging(warehouse, embedder=emb, now=NOW, min_size=3, distance=0.5)
    assert first["n_new_topics"] == 1 and first["n_clustered"] == 4
    assert emb.calls == calls  # the nightly run reuses the vectors enrichment kept
    assert warehouse.execute("select count(*) from topic_uncovered_vectors").fetchone() == (0,)
    topic = warehouse.execute(
        "select topic_id, kind, status, first_seen_at, key_phrases, examples from topics where kind = 'emerging'"
    ).fetchone()
    assert topic[0] == "emerging-0001" and topic[3] == NOW
    assert "парковка" in " ".join(topic[4]) and 3 <= len(topic[4]) <= 5 and len(topic[5]) == 3
    # A week later similar complaints arrive: they join the same id, and new enrichment attaches them too.
    later = NOW + timedelta(days=7)
    for i, text in enumerate(PARKING):
        _review(warehouse, f"q{i}", text.replace("Парковка", "Стоянка-парковка"), seen=later)
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=later)
    update_emerging(warehouse, embedder=emb, now=later, min_size=3, distance=0.5)
    ids = {r[0] for r in warehouse.execute("select topic_id from topics where kind = 'emerging'").fetchall()}
    assert ids == {"emerging-0001"}
    assigned = warehouse.execute("select review_id, topic_id from sentence_topics where review_id like 'p%'").fetchall()
    assert sorted(assigned) == [(f"p{i}", "emerging-0001") for i in range(4)]
    assert warehouse.execute("select count(*) from sentence_topics where review_id = 'old'").fetchone()[0] == 0


def test_rename_merge_promote(warehouse: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, tmp_path: Path) -> None:
    emb = LemmaHashEmbedder()
    for i, text in enumerate(PARKING):
        _review(warehouse, f"p{i}", text)
    enrich_topics(warehouse, taxonomy=taxonomy, embedder=emb, now=NOW)
    update_emerging(warehouse, embedder=emb, now=NOW, min_size=3, distance=0.5)
    rename(warehouse, "emerging-0001", label_en="Parking", label_ru="Парковка")
    with pytest.raises(TopicError, match="taxonomy YAML"):
        rename(warehouse, "delivery", label_en="x", label_ru=None)
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump(SMALL, allow_unicode=True))
    entry = promote(warehouse, "emerging-0001", path, stage="use")
    assert entry["name_en"] == "Parking" and "emerging-0001" in load_taxonomy(path).ids
    assert warehouse.execute("select kind from topics where topic_id = 'emerging-0001'").fetchone() == ("taxonomy",)
    moved = merge(warehouse, "emerging-0001", "delivery")
    assert moved == 4
    assert warehouse.execute("select count(*) from sentence_topics where topic_id = 'emerging-0001'").fetchone() == (0,)
    assert warehouse.execute("select status, merged_into from topics where topic_id = 'emerging-0001'").fetchone() == (
        "merged",
        "delivery",
    )
    with pytest.raises(TopicError, match="active"):
        merge(warehouse, "emerging-0001", "staff")


def test_topic_polarity_reads_an_implicit_complaint_as_a_complaint() -> None:
    from nlp.topics.polarity import topic_polarity

    # "ждал доставку весь вечер, в итоге привезли после десяти": told as a fact (none), leaning negative
    assert topic_polarity("none", 0.29, 0.19, 0.16) == "negative"
    assert topic_polarity("none", 0.08, 0.03, 0.32) == "positive"  # "курьер приехал точно в выбранный интервал"
    assert topic_polarity("none", 0.0, 0.0, 0.0) == "neutral"  # blank text: no opinion probability at all
    assert topic_polarity("mixed", 0.5, 0.2, 0.1) == "neutral"  # the model's opinion label is kept
    assert topic_polarity("negative", 0.2, 0.6, 0.2) == "negative"
    assert topic_polarity("neutral", None, None, None) == "neutral"  # a plain label from an injected function


def test_an_ambiguous_sentence_leans_with_its_review() -> None:
    from nlp.topics.polarity import topic_polarity, topic_score

    negative_review, positive_review = (0.8, 0.15, 0.05), (0.02, 0.08, 0.9)
    # "ждал доставку весь вечер…" in a 1-star review: the review's verdict tips a near tie
    assert topic_polarity("none", 0.21, 0.21, 0.23, negative_review) == "negative"
    assert topic_polarity("mixed", 0.3, 0.4, 0.3, negative_review) == "negative"
    assert topic_polarity("mixed", 0.3, 0.4, 0.3, positive_review) == "positive"
    assert topic_polarity("mixed", 0.3, 0.4, 0.3, (0.3, 0.4, 0.3)) == "neutral"  # a mixed review keeps it neutral
    # a clear opinion of the sentence is never overruled by the review
    assert topic_polarity("positive", 0.1, 0.1, 0.8, negative_review) == "positive"
    assert topic_polarity("negative", 0.7, 0.2, 0.1, positive_review) == "negative"
    assert topic_polarity("none", 0.21, 0.21, 0.23, (None, None, None)) == "positive"  # no review row: sentence only
    assert topic_score("none", 0.02, 0.21, 0.23, negative_review) == pytest.approx((0.02 - 0.75) / 2)
    assert topic_score("negative", -0.6, 0.7, 0.1, positive_review) == -0.6
