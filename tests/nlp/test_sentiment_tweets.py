"""The tweet sets' fixed dev splits (no opinion = "neutral") and the macro-F1 of positive and negative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nlp.sentiment.metrics import classification_report

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sentiment"


def test_tweet_split_is_fixed_stratified_and_drops_dev_copies_from_train() -> None:
    from nlp.sentiment.datasets import tweet_split

    texts = [f"tweet {i}" for i in range(50)] + ["RT same  text", "rt same text"]
    labels = ["neutral"] * 30 + ["negative"] * 10 + ["positive"] * 10 + ["neutral", "neutral"]
    df = pd.DataFrame({"text": texts, "label": labels})
    train, dev = tweet_split(df, 0.2)
    assert dev["label"].value_counts().to_dict() == {"neutral": 6, "negative": 2, "positive": 2}
    norm = {" ".join(t.lower().split()) for t in dev["text"]}
    assert norm.isdisjoint({" ".join(t.lower().split()) for t in train["text"]})
    assert tweet_split(df, 0.2)[1]["text"].tolist() == dev["text"].tolist()
    counted = tweet_split(df, 13)[1]
    assert abs(len(counted) - 13) <= 1 and counted["label"].value_counts()["neutral"] == 8


def test_macro_f1_pos_neg_ignores_the_neutral_class_score() -> None:
    gold = ["negative", "neutral", "neutral", "positive"]
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]])
    report = classification_report(gold, probs)
    # negative F1 = 1; positive: precision 1/2, recall 1 -> F1 2/3; mean 5/6
    assert report["macro_f1_pos_neg"] == pytest.approx(5 / 6, abs=1e-4)
    assert report["macro_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3, abs=1e-4)


def test_tweet_dev_sets_on_shared_data() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/sentiment is not available")
    from nlp.sentiment.datasets import EVAL_SETS, load_set

    sizes = {"ru_banks": (9390, 1877), "ru_telecom": (8552, 1711), "en_tweets": (49570, 4001)}
    for prefix, (total, dev_n) in sizes.items():
        assert f"{prefix}_dev" in EVAL_SETS
        train, dev = load_set(f"{prefix}_train"), load_set(f"{prefix}_dev")
        assert len(dev) == dev_n and len(train) <= total - dev_n
        assert set(dev["label"]) == {"negative", "neutral", "positive"}
        assert set(train["text"].str.lower()).isdisjoint(dev["text"].str.lower())
