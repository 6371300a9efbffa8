"""Warehouse enrichment: tag the sentences of new or changed reviews with taxonomy and emerging topics.

Sentences, offsets and polarity come from ``sentence_sentiment`` when the sentiment stage has run (so both stages
agree on sentence indices); otherwise the review is split here with :func:`nlp.sentences.split_sentences` and polarity
comes from an injected polarity function, or is ``neutral``. Each batch of reviews is written in one transaction:
a failure leaves what was stored before untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from nlp.lemmas import guess_language, lemmatize_many
from nlp.topics.assign import TopicAssigner
from nlp.topics.embedder import Embedder, get_embedder
from nlp.topics.polarity import PolarityFn, kind_of, label_from_score, topic_polarity, topic_score
from nlp.topics.polarity_model import polarity_features
from nlp.topics.store import insert_assignments, load_centroids, scalar, sync_taxonomy, taxonomy_hash, utcnow
from nlp.topics.taxonomy import Taxonomy, load_taxonomy

EMERGING_MATCH = 0.88  # cosine to an emerging topic's centroid for a new sentence to join it between nightly runs
MEMO_SIZE = 50_000  # vectors of distinct short sentences kept between batches of one run (~75 MB at most)
MEMO_MAX_CHARS = 80  # stock phrases are short; long sentences rarely repeat
MIN_CONTENT_LEMMAS = 3  # "Спасибо!" or "Great!" is not a topic: such sentences are never clustered


@dataclass
class SentenceRow:
    review_id: str
    sentence_index: int
    start: int
    end: int
    text: str
    language: str
    content_hash: str
    polarity: str | None
    score: float | None = None
    # p_negative, p_mixed, p_positive of the sentence and of its review (the polarity model's inputs)
    probs: tuple[float, float, float] | None = None
    review_probs: tuple[float | None, float | None, float | None] | None = None


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(scalar(con, "select count(*) from information_schema.tables where table_name = ?", [name]))


def _sentences_for(
    con: duckdb.DuckDBPyConnection, reviews: Sequence[tuple[Any, ...]], polarity_band: float | None = None
) -> list[SentenceRow]:
    """Sentences of ``reviews`` (review_id, text, content_hash, language): from sentence_sentiment when present,
    with their polarity (the way the model's opinion leans, read in the review's own sentiment when the sentence is
    ambiguous, :func:`~nlp.topics.polarity.topic_polarity`; or the side of the calibrated band the score is on)."""
    from nlp.sentences import split_sentences

    stored: dict[str, list[SentenceRow]] = {}
    if reviews and _table_exists(con, "sentence_sentiment"):
        ids = [r[0] for r in reviews]
        rows = con.execute(
            """
            with current_model as (
                select ss.review_id, arg_max(ss.model_name, ss.classified_at) as model_name
                from sentence_sentiment as ss join reviews as r
                    on r.review_id = ss.review_id and r.content_hash = ss.content_hash
                where ss.review_id in (select unnest(?))
                group by ss.review_id
            )
            select ss.review_id, ss.sentence_index, ss.start_char, ss.end_char, ss.sentence_text, ss.language,
                   ss.content_hash, ss.label, ss.score, ss.p_negative, ss.p_mixed, ss.p_positive,
                   rs.p_negative, rs.p_mixed, rs.p_positive
            from sentence_sentiment as ss join current_model as cm using (review_id, model_name)
            join reviews as r on r.review_id = ss.review_id and r.content_hash = ss.content_hash
            left join review_sentiment as rs
                on rs.review_id = ss.review_id and rs.content_hash = ss.content_hash
                and rs.model_name = ss.model_name
            order by ss.review_id, ss.sentence_index
            """,
            [ids],
        ).fetchall()
        for found in rows:
            row = SentenceRow(*found[:9])
            label, review = str(row.polarity), found[12:15]
            leaning = topic_polarity(label, found[9], found[10], found[11], review)
            score = topic_score(label, row.score, found[9], found[11], review)
            row.polarity = label_from_score(leaning, score, polarity_band)
            if None not in found[9:12]:
                row.probs, row.review_probs = tuple(found[9:12]), review  # type: ignore[assignment]
            stored.setdefault(found[0], []).append(row)
    out: list[SentenceRow] = []
    for review_id, text, content_hash, language in reviews:
        if review_id in stored:
            out.extend(stored[review_id])
            continue
        for s in split_sentences(text or ""):
            lang = language if language in ("ru", "en") else guess_language(s.text)
            out.append(SentenceRow(review_id, s.index, s.start, s.end, s.text, lang, content_hash, None))
    for row in out:
        if row.language not in ("ru", "en"):
            row.language = guess_language(row.text)
    return out


def enrich_topics(
    con: duckdb.DuckDBPyConnection,
    *,
    taxonomy: Taxonomy | None = None,
    taxonomy_path: str | Path | None = None,
    embedder: Embedder | None = None,
    polarity: PolarityFn | None = None,
    now: datetime | None = None,
    batch_size: int = 500,
    retag: bool = False,
) -> dict[str, int]:
    """Fill ``topics`` and ``sentence_topics`` for reviews that are new or whose ``content_hash`` changed.

    ``retag`` re-scores every review (after adding a topic to the taxonomy): new (sentence, topic) pairs are added,
    existing ones keep their rows. Returns counts: reviews, sentences, assignments, per-kind totals.
    """
    now = now or utcnow()
    taxonomy = taxonomy or load_taxonomy(taxonomy_path)
    tax_hash = taxonomy_hash(taxonomy)
    con.execute("begin transaction")
    try:
        stats: dict[str, int] = {f"topics_{k}": v for k, v in sync_taxonomy(con, taxonomy, now).items()}
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    pending = con.execute(
        """
        select r.review_id, r.text, r.content_hash, r.language
        from reviews as r left join topic_assignment_state as s using (review_id)
        where ? or s.review_id is null or s.content_hash <> r.content_hash
        order by r.review_id
        """,
        [retag],
    ).fetchall()
    stats.update(n_reviews=len(pending), n_sentences=0, n_assignments=0, n_complaint=0, n_praise=0, n_neutral=0)
    if not pending:  # a rerun with nothing new: no model to load, no seed phrases to embed
        return stats
    embedder = embedder or get_embedder()
    assigner = TopicAssigner(taxonomy, embedder)
    emerging_ids, emerging_centroids = load_centroids(con, "emerging")
    memo: dict[str, np.ndarray] = {}
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        sentences = _sentences_for(con, batch, taxonomy.calibration.polarity_band)
        rows, uncovered = _assign(assigner, embedder, sentences, polarity, emerging_ids, emerging_centroids, now, memo)
        n_by_review: dict[str, int] = {}
        for s in sentences:
            n_by_review[s.review_id] = n_by_review.get(s.review_id, 0) + 1
        state = [(rid, h, tax_hash, n_by_review.get(rid, 0), now) for rid, _, h, _ in batch]
        added = _write_batch(con, state, rows, uncovered)
        stats["n_sentences"] += len(sentences)
        stats["n_assignments"] += added
        for row in rows:
            stats[f"n_{row[5]}"] += 1
    return stats


def encode_memo(embedder: Embedder, texts: list[str], memo: dict[str, np.ndarray]) -> np.ndarray:
    """``embedder.encode(texts)``, reusing vectors of short texts embedded earlier in the run (stock sentences such as
    "Спасибо!" recur in every batch). Byte-identical texts only; at most ``MEMO_SIZE`` vectors are kept (~1.5 KB each).
    """
    todo = list(dict.fromkeys(t for t in texts if t not in memo))
    fresh = dict(zip(todo, embedder.encode(todo), strict=True)) if todo else {}
    if not texts:
        return embedder.encode(texts)
    out = np.stack([fresh[t] if t in fresh else memo[t] for t in texts])
    if len(memo) > MEMO_SIZE:
        memo.clear()
    memo.update((t, v) for t, v in fresh.items() if len(t) <= MEMO_MAX_CHARS)
    return out


_STATE_COLUMNS = ["review_id", "content_hash", "taxonomy_hash", "n_sentences", "assigned_at"]
_VECTOR_COLUMNS = ["review_id", "sentence_index", "content_hash", "vector", "created_at"]


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    state: list[tuple[Any, ...]],
    rows: list[tuple[Any, ...]],
    uncovered: list[tuple[Any, ...]],
) -> int:
    """Write one batch in one transaction with set-based statements; returns the sentence_topics rows added.

    A changed review's old rows go first (its offsets no longer point at the same words); a (review, sentence,
    topic) already present keeps its row. Row-by-row statements cost ~4 ms each in DuckDB, which at 100k reviews
    was minutes, hence the registered frames.
    """
    import pandas as pd

    frames = {
        "_molva_state": pd.DataFrame(state, columns=_STATE_COLUMNS),
        "_molva_vectors": pd.DataFrame(uncovered, columns=_VECTOR_COLUMNS),
    }
    con.execute("begin transaction")
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        for table in ("sentence_topics", "topic_uncovered_vectors"):
            con.execute(
                f"delete from {table} as t using _molva_state as b "
                "where t.review_id = b.review_id and t.content_hash <> b.content_hash"
            )
        added = insert_assignments(con, rows)
        if uncovered:
            con.execute(
                f"insert or replace into topic_uncovered_vectors ({', '.join(_VECTOR_COLUMNS)}) "
                "select review_id, sentence_index, content_hash, vector::float[], created_at from _molva_vectors"
            )
        con.execute(
            f"insert or replace into topic_assignment_state ({', '.join(_STATE_COLUMNS)}) "
            f"select {', '.join(_STATE_COLUMNS)} from _molva_state"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for name in frames:
            with contextlib.suppress(Exception):
                con.unregister(name)
    return added


def _assign(
    assigner: TopicAssigner,
    embedder: Embedder,
    sentences: list[SentenceRow],
    polarity: PolarityFn | None,
    emerging_ids: list[str],
    emerging_centroids: np.ndarray,
    now: datetime,
    memo: dict[str, np.ndarray] | None = None,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Assignment rows, and vector rows of the sentences that stay uncovered (for the nightly clustering)."""
    if not sentences:
        return [], []
    texts = [s.text for s in sentences]
    vectors = encode_memo(embedder, texts, memo if memo is not None else {})
    lemmas = lemmatize_many(texts, [s.language for s in sentences], drop_stop_words=True)
    scores = assigner.score(texts, vectors=vectors, lemmas=lemmas)
    assigned = scores.assigned(assigner.taxonomy.calibration)
    if assigner.taxonomy.calibration.polarity_model is not None:
        _fitted_polarity(assigner, sentences, vectors)
    missing = [i for i, s in enumerate(sentences) if s.polarity is None]
    if missing and polarity is not None:
        for i, label in zip(missing, polarity([texts[i] for i in missing]), strict=True):
            sentences[i].polarity = label
    column = {t: k for k, t in enumerate(assigner.topic_ids)}
    rows: list[tuple[Any, ...]] = []
    uncovered: list[tuple[Any, ...]] = []
    for i, s in enumerate(sentences):
        pol = s.polarity if s.polarity in ("negative", "neutral", "positive") else "neutral"
        hits = [(t, float(scores.scores[i, column[t]])) for t in assigned[i]]
        if not hits and len(emerging_ids) and len(lemmas[i]) >= 2:
            sims = emerging_centroids @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= EMERGING_MATCH:
                hits = [(emerging_ids[best], float(sims[best]))]
        for topic_id, score in hits:
            rows.append(
                (s.review_id, s.sentence_index, topic_id, score, pol, kind_of(pol), s.start, s.end, s.content_hash, now)
            )
        if not hits and len(set(lemmas[i])) >= MIN_CONTENT_LEMMAS:
            uncovered.append((s.review_id, s.sentence_index, s.content_hash, [float(x) for x in vectors[i]], now))
    return rows, uncovered


def _fitted_polarity(assigner: TopicAssigner, sentences: list[SentenceRow], vectors: np.ndarray) -> None:
    """The calibration's polarity model (:mod:`nlp.topics.polarity_model`) decides for every sentence with model
    probabilities, instead of the rule and the band."""
    calibration = assigner.taxonomy.calibration
    model = calibration.polarity_model
    rows = [i for i, s in enumerate(sentences) if s.probs is not None]
    if model is None or not rows:
        return
    vote = None
    if model.uses_vote:
        exemplars = assigner.exemplars_for(calibration)
        if exemplars is None:
            raise ValueError("the calibration's polarity model reads an exemplar vote but names no exemplar file")
        vote = exemplars.polarity_vote(vectors[rows])
    review = np.array(
        [[np.nan if v is None else v for v in (sentences[i].review_probs or (None, None, None))] for i in rows],
        dtype=float,
    )
    features = polarity_features(np.array([sentences[i].probs for i in rows], dtype=float), review, vote)
    for i, label in zip(rows, model.predict(features), strict=True):
        sentences[i].polarity = label
