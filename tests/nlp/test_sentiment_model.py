"""The stored molva-sentiment part: within budget, well-formed; and (slow) the assembled model's real behaviour."""

from __future__ import annotations

import json

import pytest

from nlp.sentiment.artifact import BUILTIN_DIR, META_FILE, METRICS_FILE, TRAINED_FILE

MAX_PART_BYTES = (
    32 * 1024 * 1024
)  # 21.6 MB of encoder layers and classifier + the opinion head (8.7 MB with its lexical member)

pytestmark = pytest.mark.skipif(not (BUILTIN_DIR / TRAINED_FILE).is_file(), reason="molva-sentiment not trained yet")


def test_stored_part_is_small_and_described() -> None:
    total = sum(p.stat().st_size for p in BUILTIN_DIR.iterdir() if p.is_file())
    assert total <= MAX_PART_BYTES, f"{BUILTIN_DIR} holds {total} bytes"
    meta = json.loads((BUILTIN_DIR / META_FILE).read_text())
    assert meta["labels"] == ["negative", "neutral", "positive"]
    assert 0 <= meta["train_from_layer"] < 12
    metrics = json.loads((BUILTIN_DIR / METRICS_FILE).read_text())
    assert "training_history" in metrics


def test_stored_part_holds_only_top_layers_and_head() -> None:
    from safetensors import safe_open

    meta = json.loads((BUILTIN_DIR / META_FILE).read_text())
    with safe_open(str(BUILTIN_DIR / TRAINED_FILE), framework="np") as f:
        keys = list(f.keys())
    layers = {int(k.split(".")[3]) for k in keys if k.startswith("roberta.encoder.layer.")}
    assert layers == set(range(meta["train_from_layer"], 12))
    assert any(k.startswith("classifier.") for k in keys)
    assert not any("embeddings" in k for k in keys)


OBVIOUS = [
    ("Ужасное качество, порвалось в первый же день, деньги на ветер", "negative"),
    ("Отличное платье, село идеально, всем рекомендую!", "positive"),
    ("Terrible product, it broke after one day. Waste of money.", "negative"),
    ("Excellent value, works great and arrived quickly.", "positive"),
]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "transformers"])
def test_builtin_model_gets_obvious_reviews_right(backend: str) -> None:
    from nlp.sentiment import load_sentiment_model

    model = load_sentiment_model("molva-sentiment", backend=backend)
    preds = model.predict([t for t, _ in OBVIOUS])
    assert [p.label for p in preds] == [label for _, label in OBVIOUS]
    assert model.name == "molva-sentiment" and model.version.startswith(
        json.loads((BUILTIN_DIR / META_FILE).read_text())["version"]
    )


@pytest.mark.slow
def test_int8_results_do_not_depend_on_the_other_texts() -> None:
    """Dynamic int8 scales activations per call: a text's probabilities must be the same alone, in any company."""
    import numpy as np

    from nlp.sentiment import load_sentiment_model

    model = load_sentiment_model("molva-sentiment", backend="onnx", batch_size=32)
    texts = [t for t, _ in OBVIOUS] + ["ок", "Доставка опоздала на два часа, курьер не извинился. " * 8]
    together = model.predict_proba(texts)
    reversed_order = model.predict_proba(texts[::-1])[::-1]
    alone = np.vstack([model.predict_proba([t]) for t in texts])
    assert np.array_equal(together, reversed_order) and np.array_equal(together, alone)
    # Texts run in parallel, one call per core: the number of cores must not change a result either.
    one_core = load_sentiment_model("molva-sentiment", backend="onnx", threads=1).predict_proba(texts)
    assert np.array_equal(together, one_core)


MENTIONS = [
    ("#Автокредит в россельхозбанк в череповце http://t.co/x1", "none"),
    ("Сбербанк открыл новое отделение на улице Ленина", "none"),
    ("Билайн, верните деньги! Третий день нет интернета, поддержка молчит", "negative"),
    ("Спасибо МТС, быстро решили проблему с роумингом, очень довольна", "positive"),
    ("Apple to announce new iPhone on Tuesday, sources say", "none"),
    ("Worst airline ever, lost my bag and nobody cares @united", "negative"),
]


@pytest.mark.slow
def test_builtin_model_separates_no_opinion_from_opinions_in_mentions() -> None:
    """The opinion head: news and ads are 'none' as mentions; complaints and praise keep their polarity."""
    import numpy as np

    from nlp.sentiment import load_sentiment_model

    model = load_sentiment_model("molva-sentiment", backend="onnx")
    assert model.opinion is not None
    preds = model.predict([t for t, _ in MENTIONS], kind="mention")
    assert [p.label for p in preds] == [label for _, label in MENTIONS]
    for p in preds:
        assert sum(p.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    # the kind is an input: the same texts as whole reviews are rarely "none", and a text's result is its own
    alone = [model.predict([t], kind="mention")[0] for t, _ in MENTIONS]
    assert [p.probabilities for p in alone] == [p.probabilities for p in preds]
    as_reviews = model.predict([t for t, _ in MENTIONS], kind="review")
    assert np.mean([p.p_none for p in as_reviews]) < np.mean([p.p_none for p in preds])
