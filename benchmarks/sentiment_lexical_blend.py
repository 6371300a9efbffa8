"""Would a lexical model blended with molva-sentiment close the RuReviews gap? An experiment, not a test.

    python benchmarks/sentiment_lexical_blend.py [--model molva-sentiment] [--json out.json]

Trains TF-IDF (word 1–2-grams + character 2–5-grams) + logistic regression on RuReviews train, scores RuReviews dev
with it, with the sentiment model, and with their log-probability blend at two weights fixed before looking at dev
(0.3 and 0.5 for the lexical side). Nothing is tuned on dev. Reads ``../shared/data/sentiment``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BLEND_WEIGHTS = (0.3, 0.5)


def lexical_model() -> object:
    """TF-IDF word and character n-grams into a logistic regression (a strong classical baseline)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=300_000)
    return make_pipeline(make_union(words, chars), LogisticRegression(C=4, max_iter=2000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="molva-sentiment", help="sentiment model id or path")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    from sklearn.metrics import f1_score

    from nlp.sentiment.datasets import LABELS, load_set
    from nlp.sentiment.registry import load_sentiment_model

    train, dev = load_set("ru_rureviews_train"), load_set("ru_rureviews_dev")
    started = time.perf_counter()
    lexical = lexical_model()
    lexical.fit(train["text"], train["label"])  # type: ignore[attr-defined]
    p_lex = lexical.predict_proba(dev["text"])  # type: ignore[attr-defined]  # columns: sorted labels == LABELS
    fit_seconds = time.perf_counter() - started
    p_model = load_sentiment_model(args.model).predict_proba(dev["text"].tolist())

    def macro_f1(probs: np.ndarray) -> float:
        return float(f1_score(dev["label"], np.array(LABELS)[probs.argmax(1)], average="macro"))

    figures = {
        "n_dev": len(dev),
        "lexical_fit_and_predict_seconds": round(fit_seconds, 1),
        "macro_f1_lexical": macro_f1(p_lex),
        "macro_f1_model": macro_f1(p_model),
    }
    for w in BLEND_WEIGHTS:
        blend = (1 - w) * np.log(p_model + 1e-9) + w * np.log(p_lex + 1e-9)
        figures[f"macro_f1_blend_{w}"] = macro_f1(blend)
    for key, value in figures.items():
        print(f"{key:36} {value:.4f}" if isinstance(value, float) else f"{key:36} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
