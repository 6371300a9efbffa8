"""Enrichment does not compute the same thing twice: identical texts are classified once, results unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.sentiment.base import SentimentModel


class CountingModel(SentimentModel):
    """A deterministic toy classifier (probabilities from the text's characters) that records what it was asked."""

    name = "counting"
    version = "1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self.seen += list(texts)
        raw = np.array([[len(t) % 7 + 1.0, sum(map(ord, t)) % 5 + 1.0, t.count(" ") + 1.0] for t in texts])
        return raw / raw.sum(axis=1, keepdims=True)


def _warehouse() -> Any:
    from warehouse.db import connect

    con = connect(":memory:")
    rows = [
        ("r1", None, "Спасибо!"),  # the review is its own only sentence
        ("r2", None, "Курьер опоздал. Спасибо!"),
        ("r3", "Супер", "Спасибо!"),  # a title makes the review input differ from the sentence
        ("r4", None, "Курьер опоздал. Great app"),
        ("r5", None, "Great app"),
    ]
    for rid, title, text in rows:
        con.execute(
            "insert into reviews (review_id, platform, external_id, title, text, first_seen_at, last_seen_at,"
            " content_hash) values (?, 'test', ?, ?, ?, now(), now(), ?)",
            [rid, rid, title, text, "h-" + rid],
        )
    return con


def test_predict_unique_matches_predict_and_classifies_each_text_once() -> None:
    from nlp.sentiment.enrich import predict_unique

    texts = ["Спасибо!", "Курьер опоздал.", "Спасибо!", "Great app", "Курьер опоздал.", ""]
    model = CountingModel()
    expected = CountingModel().predict(texts, kind="sentence")
    memo: dict = {}
    assert predict_unique(model, [("sentence", t) for t in texts], memo) == expected
    assert sorted(model.seen) == sorted({"Спасибо!", "Курьер опоздал.", "Great app"})
    model.seen.clear()
    pairs = [("sentence", "Great app"), ("sentence", "New text here"), ("mention", "Great app")]
    assert predict_unique(model, pairs, memo) == CountingModel().predict(
        ["Great app", "New text here", "Great app"], kind=["sentence", "sentence", "mention"]
    )
    # the memo answered for the text seen in an earlier batch, and (no opinion head) for the same text as a mention
    assert model.seen == ["New text here"]


def test_enrich_sentiment_results_equal_the_naive_path() -> None:
    from nlp.sentiment.enrich import enrich_sentiment, review_input
    from nlp.sentiment.text_prep import clean_text

    con = _warehouse()
    model = CountingModel()
    stats = enrich_sentiment(con, model, batch_size=2)
    assert (stats.n_reviews, stats.n_sentences) == (5, 7)
    naive = CountingModel()
    reviews = con.execute("select review_id, title, text from reviews order by review_id").fetchall()
    stored = con.execute(
        "select review_id, label, p_negative, p_mixed, p_positive, p_none from review_sentiment order by 1"
    ).fetchall()
    for (rid, title, text), row in zip(reviews, stored, strict=True):
        (p,) = naive.predict([clean_text(review_input(title, text)).text])
        assert row[0] == rid and row[1] == p.label
        np.testing.assert_allclose(row[2:], [p.p_negative, p.p_mixed, p.p_positive, p.p_none], rtol=1e-6)
    sentences = con.execute("select sentence_text, label, p_positive from sentence_sentiment").fetchall()
    for text, label, p_pos in sentences:
        (p,) = naive.predict([text])
        assert label == p.label and abs(p_pos - p.p_positive) < 1e-6
    # 5 review inputs + 7 sentences, but only 6 distinct texts, each classified once across the 3 batches
    assert len(model.seen) == len(set(model.seen)) == 6
