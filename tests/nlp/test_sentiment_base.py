"""Label mapping for 2/3/5-class models, defensive text cleaning, metrics and the fixed UCI split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment.base import Prediction, label_projection
from nlp.sentiment.metrics import classification_report
from nlp.sentiment.text_prep import MAX_CHARS, clean_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sentiment"


def test_prediction_score_and_label() -> None:
    p = Prediction.from_probs([0.1, 0.2, 0.7])
    assert p.label == "positive"
    assert p.score == pytest.approx(0.6)
    assert p.probabilities == {"negative": 0.1, "mixed": pytest.approx(0.2), "positive": pytest.approx(0.7), "none": 0}
    assert p.has_opinion
    q = Prediction.from_probs([0.1, 0.1, 0.2, 0.6])
    assert q.label == "none" and not q.has_opinion and q.score == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("id2label", "probs", "expected"),
    [
        ({0: "NEGATIVE", 1: "POSITIVE"}, [0.3, 0.7], [0.3, 0.0, 0.7]),
        ({0: "LABEL_0", 1: "LABEL_1"}, [0.3, 0.7], [0.3, 0.0, 0.7]),
        ({0: "positive", 1: "negative", 2: "neutral"}, [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
        ({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}, [0.1, 0.1, 0.2, 0.3, 0.3],
         [0.2, 0.2, 0.6]),
        ({0: "very negative", 1: "negative", 2: "neutral", 3: "positive", 4: "very positive"},
         [0.05, 0.05, 0.1, 0.4, 0.4], [0.1, 0.1, 0.8]),
    ],
)  # fmt: skip
def test_label_projection(id2label: dict[int, str], probs: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(np.array(probs) @ label_projection(id2label), expected, atol=1e-6)


def test_label_projection_rejects_other_class_counts() -> None:
    with pytest.raises(ValueError, match="2, 3 or 5"):
        label_projection({0: "a", 1: "b", 2: "c", 3: "d"})


def test_clean_text_flags() -> None:
    assert clean_text(None).flags == {"empty"}
    assert clean_text(float("nan")).flags == {"empty"}
    assert clean_text("  \t\n").flags == {"empty"}
    html = clean_text("Качество &quot;супер&quot; &amp; цена &#128512;")
    assert html.text == 'Качество "супер" & цена 😀' and html.flags == {"html_entities"}
    assert clean_text("😍😍").flags == {"emoji_only"}
    bad = clean_text("Плохо \ufffd\ufffd сделано")
    assert "invalid_utf8" in bad.flags and "\ufffd" not in bad.text
    long = clean_text("начало " + "x" * 100_000 + " конец")
    assert long.flags == {"too_long"} and len(long.text) <= MAX_CHARS + 5
    assert long.text.startswith("начало") and long.text.endswith("конец")
    assert clean_text(12345).text == "12345"


def test_classification_report_binary_uses_sign_of_score() -> None:
    probs = np.array([[0.6, 0.3, 0.1], [0.1, 0.6, 0.3], [0.45, 0.5, 0.05]])
    report = classification_report(["negative", "positive", "negative"], probs)
    assert report["accuracy"] == 1.0 and set(report["per_class"]) == {"negative", "positive"}
    three = classification_report(["negative", "neutral", "positive"], probs)
    assert three["accuracy"] == pytest.approx(2 / 3, abs=1e-4)


def test_uci_split_is_fixed_stratified_and_disjoint() -> None:
    import pandas as pd

    from nlp.sentiment.datasets import uci_split

    df = pd.DataFrame(
        {
            "text": [f"t{i}" for i in range(40)],
            "label": ["negative", "positive"] * 20,
            "source": ["amazon"] * 20 + ["yelp"] * 20,
        }
    )
    train, held = uci_split(df)
    assert set(train["text"]).isdisjoint(held["text"]) and len(train) + len(held) == 40
    assert held.groupby(["source", "label"]).size().tolist() == [5, 5, 5, 5]
    assert uci_split(df)[1]["text"].tolist() == held["text"].tolist()


def test_uci_heldout_on_shared_data() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/data/sentiment is not available")
    from nlp.sentiment.datasets import load_set

    held = load_set("en_uci_heldout")
    assert len(held) == 1000 and len(load_set("en_uci_train")) == 1000
    assert held["label"].value_counts().to_dict() == {"negative": 500, "positive": 500}


def test_semeval_sentence_sets_follow_the_topic_split(tmp_path: Path) -> None:
    """Training reads the calibration half only; the sets keep unanimous sentences with their polarity."""
    from nlp.sentiment.datasets import semeval_sentences
    from nlp.topics.absa import split_part

    xml = """<Reviews>
      <Review rid="r1"><sentences>
        <sentence id="r1:0"><text>Great soup.</text>
          <Opinions><Opinion category="FOOD#QUALITY" polarity="positive"/></Opinions></sentence>
        <sentence id="r1:1"><text>Soup good, service awful.</text>
          <Opinions><Opinion category="FOOD#QUALITY" polarity="positive"/>
                    <Opinion category="SERVICE#GENERAL" polarity="negative"/></Opinions></sentence>
        <sentence id="r1:2"><text>We came on Friday.</text></sentence>
      </sentences></Review>
      <Review rid="r2"><sentences>
        <sentence id="r2:0"><text>Rude waiter.</text>
          <Opinions><Opinion category="SERVICE#GENERAL" polarity="negative"/></Opinions></sentence>
      </sentences></Review>
    </Reviews>"""
    (tmp_path / "semeval2016_en_restaurants_train.xml").write_text(xml, encoding="utf-8")
    parts = {rid: split_part(rid, "en") for rid in ("r1", "r2")}
    for part in ("calibration", "test"):
        frame = semeval_sentences(tmp_path, "en", part)
        expected = [("Great soup.", "positive")] if parts["r1"] == part else []
        expected += [("Rude waiter.", "negative")] if parts["r2"] == part else []
        assert list(frame.itertuples(index=False, name=None)) == expected


def test_semeval_sets_on_shared_data() -> None:
    if not (SHARED.parent / "absa").is_dir():
        pytest.skip("../shared/data/absa is not available")
    from nlp.sentiment.datasets import load_set

    cal, test = load_set("ru_semeval_cal"), load_set("ru_semeval_test")
    assert len(test) == 1247 and 1300 < len(cal) < 1341  # texts that also occur in the test half are dropped
    assert set(cal["text"]).isdisjoint(test["text"])
