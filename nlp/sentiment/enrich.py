"""Warehouse enrichment: classify new or changed reviews into ``review_sentiment`` and ``sentence_sentiment``.

A review is (re)classified when the model has no row for it, or its row was made from another ``content_hash``
(the review was edited) or by another version of the model. Each batch is written in one transaction that first
removes the model's old rows for those reviews, so a crash never leaves a review half-classified and a rerun
resumes where it stopped. Nothing upstream (``reviews``) is written.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from nlp.language import detect_language
from nlp.sentences import split_sentences
from nlp.sentiment.base import Prediction, SentimentModel
from nlp.sentiment.text_prep import clean_text

MEMO_SIZE = 200_000  # distinct short texts whose prediction is kept for later batches of one run (~60 MB)
MEMO_MAX_CHARS = 120  # stock phrases are short; long texts rarely repeat and would only fill the memo
MAX_SENTENCES = 300  # per review: a 100k-character review would otherwise cost thousands of classifications

# The reviews a model (parameters $name, $version) has not classified in their current content; public for the
# sharded enrichment (flows/tasks/shards.py).
PENDING_SQL = """
with src as (
    select r.review_id, r.content_hash, r.title, r.text, r.kind
    from reviews as r
),
done as (
    select s.review_id, s.content_hash, s.model_version
    from review_sentiment as s
    where s.model_name = $name
),
final as (
    select src.*
    from src
    left join done on done.review_id = src.review_id
    where done.review_id is null or done.content_hash <> src.content_hash or done.model_version <> $version
)
select * from final order by review_id
"""

_REVIEW_COLUMNS = [
    "review_id", "content_hash", "model_name", "model_version", "language", "label", "score",
    "p_negative", "p_mixed", "p_positive", "p_none", "classified_at",
]  # fmt: skip
_SENTENCE_COLUMNS = [
    "review_id", "sentence_index", "content_hash", "start_char", "end_char", "sentence_text", "language", "label",
    "score", "p_negative", "p_mixed", "p_positive", "p_none", "model_name", "model_version", "classified_at",
]  # fmt: skip


@dataclass
class EnrichStats:
    """What one enrichment run did."""

    model_name: str
    model_version: str
    n_pending: int = 0
    n_reviews: int = 0
    n_sentences: int = 0
    n_already_done: int = 0
    flags: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for logs and flow results."""
        return {
            "model_name": self.model_name,
            "model_version": self.model_version,
            "n_pending": self.n_pending,
            "n_reviews": self.n_reviews,
            "n_sentences": self.n_sentences,
            "n_already_done": self.n_already_done,
            "flags": dict(self.flags),
        }


def review_input(title: object, text: object) -> str:
    """What the review-level classifier reads: the title (often the verdict) followed by the body."""
    title = title.strip() if isinstance(title, str) else ""
    body = text if isinstance(text, str) else ""
    return f"{title}. {body}" if title and title not in body[: len(title) + 5] else body


def _values(pred: Prediction) -> dict[str, Any]:
    return {
        "label": pred.label,
        "score": max(-1.0, min(1.0, pred.score)),
        "p_negative": pred.p_negative,
        "p_mixed": pred.p_mixed,
        "p_positive": pred.p_positive,
        "p_none": pred.p_none,
    }


Keyed = tuple[str, str]  # (text kind, text)


def predict_unique(
    model: SentimentModel, texts: list[Keyed], memo: dict[Keyed, Prediction] | None = None
) -> list[Prediction]:
    """``model.predict`` of ``(kind, text)`` pairs, each distinct pair classified once (given ``memo``, once per run).

    Only byte-identical inputs of the same kind share a prediction, so the model sees exactly the inputs it would
    have seen: stock sentences ("Спасибо!", "Great app") repeat across reviews, and a one-sentence review without a
    title is its own sentence (unless the model has an opinion head, which reads the kind). ``memo`` keeps
    predictions of short texts between batches, at most ``MEMO_SIZE``.
    """
    memo = {} if memo is None else memo
    if model.opinion is None:  # without an opinion head the kind changes nothing: one text, one prediction
        texts = [("review", t) for _, t in texts]
    todo = list(dict.fromkeys(t for t in texts if t not in memo))
    preds = model.predict([t for _, t in todo], kind=[k for k, _ in todo]) if todo else []
    fresh = dict(zip(todo, preds, strict=True))
    out = [fresh[t] if t in fresh else memo[t] for t in texts]
    if len(memo) > MEMO_SIZE:
        memo.clear()
    memo.update((t, p) for t, p in fresh.items() if len(t[1]) <= MEMO_MAX_CHARS)
    return out


def text_kinds(kind: object) -> tuple[str, str]:
    """The opinion head's kind for a stored item (``reviews.kind``) and for its sentences."""
    return ("mention", "mention") if kind == "mention" else ("review", "sentence")


def classify_batch(
    model: SentimentModel,
    batch: pd.DataFrame,
    sentences: bool,
    stats: EnrichStats,
    now: datetime,
    memo: dict[Keyed, Prediction] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Classify one batch of pending reviews (and their sentences); touches no database. Returns the rows to store."""
    ident = {"model_name": model.name, "model_version": model.version, "classified_at": now}
    review_texts: list[Keyed] = []
    review_langs = []
    kinds = [text_kinds(k) for k in (batch["kind"] if "kind" in batch else ["review"] * len(batch))]
    for title, text, (kind, _) in zip(batch["title"], batch["text"], kinds, strict=True):
        cleaned = clean_text(review_input(title, text))
        stats.flags.update(cleaned.flags)
        review_texts.append((kind, cleaned.text))
        review_langs.append(detect_language(cleaned.text))
    pieces = []
    if sentences:
        for rid, h, text, (_, sentence_kind) in zip(
            batch["review_id"], batch["content_hash"], batch["text"], kinds, strict=True
        ):
            found = split_sentences(text if isinstance(text, str) else "")
            if len(found) > MAX_SENTENCES:
                stats.flags["sentences_capped"] += 1
                found = found[:MAX_SENTENCES]
            pieces += [(rid, h, s, sentence_kind) for s in found]
    # reviews and sentences in one call: identical texts of one kind among them are classified once
    predictions = predict_unique(model, review_texts + [(k, s.text) for _, _, s, k in pieces], memo)
    review_rows = [
        {"review_id": rid, "content_hash": h, "language": lang, **_values(p), **ident}
        for rid, h, lang, p in zip(
            batch["review_id"], batch["content_hash"], review_langs, predictions[: len(review_texts)], strict=True
        )
    ]
    sentence_rows: list[dict[str, Any]] = []
    if sentences:
        languages: dict[str, str] = {}
        preds = predictions[len(review_texts) :]
        for (rid, h, s, _), p in zip(pieces, preds, strict=True):
            sentence_rows.append(
                {
                    "review_id": rid,
                    "sentence_index": s.index,
                    "content_hash": h,
                    "start_char": s.start,
                    "end_char": s.end,
                    "sentence_text": s.text,
                    "language": languages.get(s.text) or languages.setdefault(s.text, detect_language(s.text)),
                    **_values(p),
                    **ident,
                }
            )
    return (
        pd.DataFrame(review_rows, columns=_REVIEW_COLUMNS),
        pd.DataFrame(sentence_rows, columns=_SENTENCE_COLUMNS),
    )


def write_batch(
    con: Any, model: SentimentModel, reviews: pd.DataFrame, sentences: pd.DataFrame, with_sentences: bool
) -> None:
    """Replace the model's rows for these reviews with the classified ones, in one transaction."""
    ids = pd.DataFrame({"review_id": reviews["review_id"]})
    con.execute("begin transaction")
    try:
        con.register("_molva_ids", ids)
        con.execute(
            "delete from review_sentiment where model_name = ? and review_id in (select review_id from _molva_ids)",
            [model.name],
        )
        if with_sentences:
            con.execute(
                "delete from sentence_sentiment where model_name = ? "
                "and review_id in (select review_id from _molva_ids)",
                [model.name],
            )
        con.register("_molva_rows", reviews)
        con.execute(f"insert into review_sentiment ({', '.join(_REVIEW_COLUMNS)}) select * from _molva_rows")
        if with_sentences and len(sentences):
            con.register("_molva_sentences", sentences)
            con.execute(
                f"insert into sentence_sentiment ({', '.join(_SENTENCE_COLUMNS)}) select * from _molva_sentences"
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for view in ("_molva_ids", "_molva_rows", "_molva_sentences"):
            with contextlib.suppress(Exception):  # the view may not exist
                con.unregister(view)


def enrich_sentiment(
    con: Any,
    model: SentimentModel,
    *,
    batch_size: int = 256,
    limit: int | None = None,
    sentences: bool = True,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EnrichStats:
    """Classify pending reviews (and their sentences) with ``model``; return counts.

    ``progress(done, total)`` is called after each batch. ``now`` stamps ``classified_at`` (UTC, naive).
    """
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None)
    stats = EnrichStats(model.name, model.version)
    total = con.execute("select count(*) from reviews").fetchone()[0]
    pending = con.execute(PENDING_SQL, {"name": model.name, "version": model.version}).df()
    stats.n_already_done = int(total) - len(pending)
    if limit is not None:
        pending = pending.head(limit)
    stats.n_pending = len(pending)
    memo: dict[Keyed, Prediction] = {}
    for start in range(0, len(pending), batch_size):
        batch = pending.iloc[start : start + batch_size]
        reviews, sents = classify_batch(model, batch, sentences, stats, stamp, memo)
        write_batch(con, model, reviews, sents, sentences)
        stats.n_reviews += len(reviews)
        stats.n_sentences += len(sents)
        if progress is not None:
            progress(stats.n_reviews, stats.n_pending)
    return stats
