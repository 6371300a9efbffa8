"""Tag a table of texts with topics and complaint/praise: the engine behind ``molva tag``.

A row may be one sentence or a whole review. Reviews are split into sentences (:func:`nlp.sentences.split_sentences`)
and the row's topics are the union of its sentences' topics, each with its best sentence score, so a long review is
not blurred into one average vector. Polarity is the sentiment model's label for the row's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from nlp.lemmas import guess_language, lemmatize_many
from nlp.topics.assign import TopicAssigner
from nlp.topics.polarity import PolarityFn, kind_of


@dataclass
class TagCounts:
    """What the summary reports."""

    n_rows: int = 0
    n_sentences: int = 0
    n_empty: int = 0
    n_tagged: int = 0


def tag_frame(
    frame: pd.DataFrame,
    text_column: str,
    assigner: TopicAssigner,
    *,
    language: str = "auto",
    polarity: PolarityFn | None = None,
    batch_size: int = 512,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, TagCounts]:
    """Copy of ``frame`` with ``topics`` (ids, best first), ``topic_scores`` (same order), ``polarity`` and ``kind``."""
    from nlp.sentences import split_sentences

    texts = ["" if pd.isna(t) else str(t) for t in frame[text_column].tolist()]
    counts = TagCounts(n_rows=len(texts))
    pieces: list[tuple[int, str, str]] = []  # (row, sentence, language)
    for row, text in enumerate(texts):
        if not text.strip():
            counts.n_empty += 1
            continue
        lang = language if language in ("ru", "en") else guess_language(text)
        for sentence in split_sentences(text) or []:
            pieces.append((row, sentence.text, lang))
    counts.n_sentences = len(pieces)
    best: list[dict[str, float]] = [{} for _ in texts]
    cal = assigner.taxonomy.calibration
    for start in range(0, len(pieces), batch_size):
        chunk = pieces[start : start + batch_size]
        sentences = [p[1] for p in chunk]
        langs = [p[2] for p in chunk]
        scores = assigner.score(
            sentences, vectors=assigner.embedder.encode(sentences),
            lemmas=lemmatize_many(sentences, langs, drop_stop_words=True),
        )  # fmt: skip
        column = {t: k for k, t in enumerate(scores.topic_ids)}
        for (row, _, _), ids, line in zip(chunk, scores.assigned(cal), scores.scores, strict=True):
            for topic_id in ids:
                value = float(line[column[topic_id]])
                best[row][topic_id] = max(value, best[row].get(topic_id, value))
        if progress is not None:
            progress(min(start + batch_size, len(pieces)), len(pieces))
    out = frame.copy()
    ordered = [sorted(b.items(), key=lambda kv: -kv[1]) for b in best]
    out["topics"] = [[t for t, _ in o] for o in ordered]
    out["topic_scores"] = [[round(s, 4) for _, s in o] for o in ordered]
    counts.n_tagged = sum(1 for o in ordered if o)
    if polarity is not None:
        labels = ["neutral"] * len(texts)
        filled = [i for i, t in enumerate(texts) if t.strip()]
        for i, label in zip(filled, polarity([texts[i] for i in filled]), strict=True):
            labels[i] = label
        out["polarity"] = labels
        out["kind"] = [kind_of(p) for p in labels]
    else:
        out["polarity"] = pd.Series([None] * len(texts), dtype="object")
        out["kind"] = pd.Series([None] * len(texts), dtype="object")
    return out, counts
