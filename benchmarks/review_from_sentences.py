"""Could the review label come from the sentence labels, saving the review pass? An experiment, not a test.

    python benchmarks/review_from_sentences.py [--set ru_rureviews_dev]

Classifies each review of a review-level set with molva-sentiment (the production path), and each of its distinct
sentences; then scores (a) the mean of the sentence probabilities for every review, and (b) a cascade that keeps the
review pass only where the sentences disagree or one is less sure than ``tau``: the share of review passes it would
save, its macro-F1 and how often its label equals the review pass's. Reads ``../shared/data/sentiment``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from nlp.sentences import split_sentences
    from nlp.sentiment import load_sentiment_model
    from nlp.sentiment.datasets import load_set
    from nlp.sentiment.metrics import classification_report
    from nlp.sentiment.text_prep import clean_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="ru_rureviews_dev", help="a review-level labelled set")
    args = parser.parse_args()

    frame = load_set(args.set)
    texts, gold = frame["text"].astype(str).tolist(), frame["label"].tolist()
    model = load_sentiment_model()
    start = time.perf_counter()
    reviews = model.predict_proba([clean_text(t).text for t in texts])
    t_reviews = time.perf_counter() - start
    sentences = [[s.text for s in split_sentences(t)] for t in texts]
    distinct = list(dict.fromkeys(s for group in sentences for s in group))
    start = time.perf_counter()
    by_text = dict(zip(distinct, model.predict_proba(distinct), strict=True))
    t_sentences = time.perf_counter() - start
    multi = np.mean([len(g) > 1 for g in sentences])
    print(f"{args.set}: {len(texts)} reviews in {t_reviews:.0f} s, {len(distinct)} distinct sentences in "
          f"{t_sentences:.0f} s; reviews with more than one sentence: {multi:.3f}")  # fmt: skip
    base = classification_report(gold, reviews)["macro_f1"]
    print(f"review pass: macro-F1 {base:.4f}")
    mean = np.stack([np.mean([by_text[s] for s in g], axis=0) if g else reviews[i] for i, g in enumerate(sentences)])
    f1_mean = classification_report(gold, mean)["macro_f1"]
    print(f"mean of the sentence probabilities, every review: macro-F1 {f1_mean:.4f}")
    for tau in (0.0, 0.5, 0.6, 0.7, 0.8, 0.9):
        cascade, skipped = reviews.copy(), 0
        for i, group in enumerate(sentences):
            if len(group) < 2:  # a one-sentence review is its own sentence: nothing to save
                continue
            probs = np.stack([by_text[s] for s in group])
            labels = probs.argmax(axis=1)
            if (labels == labels[0]).all() and probs.max(axis=1).min() >= tau:
                cascade[i], skipped = probs.mean(axis=0), skipped + 1
        f1 = classification_report(gold, cascade)["macro_f1"]
        agree = float((cascade.argmax(axis=1) == reviews.argmax(axis=1)).mean())
        print(f"cascade tau {tau:.1f}: review passes saved {skipped / len(texts):.3f}, macro-F1 {f1:.4f} "
              f"({(f1 - base) * 100:+.2f} points), same label as the review pass {agree:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
