"""Classify a table of texts at review or sentence level: the logic behind ``molva classify``.

The output keeps every input column and row (sentence level: one row per sentence, and one row with empty sentence
fields for a text without sentences), and adds ``language``, ``sentiment_label`` (negative | mixed | positive |
none), ``sentiment_score``, ``p_negative``, ``p_mixed``, ``p_positive``, ``p_none``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd

from nlp.language import detect_language
from nlp.sentences import split_sentences
from nlp.sentiment.base import Prediction, SentimentModel
from nlp.sentiment.text_prep import clean_text

MAX_SENTENCES = 300
CHUNK = 256
OUTPUT_COLUMNS = (
    "language", "sentiment_label", "sentiment_score", "p_negative", "p_mixed", "p_positive", "p_none",
)  # fmt: skip


def _columns(preds: list[Prediction], languages: list[str]) -> dict[str, list[Any]]:
    return {
        "language": languages,
        "sentiment_label": [p.label for p in preds],
        "sentiment_score": [max(-1.0, min(1.0, p.score)) for p in preds],
        "p_negative": [p.p_negative for p in preds],
        "p_mixed": [p.p_mixed for p in preds],
        "p_positive": [p.p_positive for p in preds],
        "p_none": [p.p_none for p in preds],
    }


def _predict_chunked(
    model: SentimentModel, texts: list[str], kind: str, progress: Callable[[int, int], None] | None
) -> list[Prediction]:
    out: list[Prediction] = []
    for start in range(0, len(texts), CHUNK):
        out += model.predict(texts[start : start + CHUNK], kind=kind)
        if progress is not None:
            progress(len(out), len(texts))
    return out


def classify_frame(
    frame: pd.DataFrame,
    text_column: str,
    model: SentimentModel,
    *,
    level: str = "review",
    kind: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, Counter[str]]:
    """Return the enriched frame and counts of odd inputs (empty, too_long, html_entities, emoji_only, …).

    ``kind`` tells the opinion head what the texts are: ``review`` or ``mention`` (social-media posts); sentences
    of reviews are ``sentence``, sentences of mentions stay ``mention``. Default: ``review`` at review level and
    ``sentence`` at sentence level. ``progress(done, total)`` is called after each chunk of texts sent to the model.
    """
    if level not in ("review", "sentence"):
        raise ValueError(f"level must be 'review' or 'sentence', not {level!r}")
    if kind not in (None, "review", "mention"):
        raise ValueError(f"kind must be 'review' or 'mention', not {kind!r}")
    text_kind = "mention" if kind == "mention" else level
    counts: Counter[str] = Counter()
    cleaned = [clean_text(v) for v in frame[text_column].tolist()]
    for c in cleaned:
        counts.update(c.flags)
    clash = [c for c in (*OUTPUT_COLUMNS, "sentence_index", "start", "end", "sentence_text") if c in frame.columns]
    base = frame.rename(columns={c: f"input_{c}" for c in clash})
    if level == "review":
        texts = [c.text for c in cleaned]
        preds = _predict_chunked(model, texts, text_kind, progress)
        out = base.reset_index(drop=True).assign(**_columns(preds, [detect_language(t) for t in texts]))
        return out, counts
    rows: list[tuple[int, int | None, int | None, int | None, str]] = []
    pieces: list[int] = []
    for row_no, value in enumerate(frame[text_column].tolist()):
        raw = value if isinstance(value, str) else ""
        found = split_sentences(raw)
        if len(found) > MAX_SENTENCES:
            counts["sentences_capped"] += 1
            found = found[:MAX_SENTENCES]
        if not found:
            rows.append((row_no, None, None, None, ""))
        for s in found:
            rows.append((row_no, s.index, s.start, s.end, s.text))
            pieces.append(len(rows) - 1)
    texts = [clean_text(r[4]).text for r in rows]
    preds = _predict_chunked(model, texts, text_kind, progress)
    expanded = base.iloc[[r[0] for r in rows]].reset_index(drop=True)
    expanded = expanded.assign(
        sentence_index=pd.array([r[1] for r in rows], dtype="Int64"),
        start=pd.array([r[2] for r in rows], dtype="Int64"),
        end=pd.array([r[3] for r in rows], dtype="Int64"),
        sentence_text=[r[4] for r in rows],
        **_columns(preds, [detect_language(t) for t in texts]),
    )
    counts["sentences"] = len(pieces)
    return expanded, counts
