"""Nightly discovery of emerging topics with stable ids.

Sentences of recent reviews that no topic covers are clustered (:mod:`nlp.topics.cluster`). Each cluster is compared
with the centroids of the emerging topics found before: a close one (cosine ≥ ``match``) continues that topic under
its id; otherwise the cluster becomes a new ``emerging-NNNN`` topic with ``first_seen_at``. A topic a person merged
into another continues as the topic it was merged into. Sentences already assigned keep their topic ids: only
uncovered sentences are clustered, and assignments are insert-only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from nlp.lemmas import lemmatize_many
from nlp.topics.cluster import build_clusters
from nlp.topics.embedder import Embedder, get_embedder
from nlp.topics.enrich import MIN_CONTENT_LEMMAS, SentenceRow, _sentences_for
from nlp.topics.polarity import kind_of
from nlp.topics.store import insert_assignments, save_centroid, scalar, utcnow
from nlp.topics.taxonomy import load_taxonomy


def _uncovered(
    con: duckdb.DuckDBPyConnection, since: datetime, limit: int, polarity_band: float | None
) -> list[SentenceRow]:
    reviews = con.execute(
        """
        select r.review_id, r.text, r.content_hash, r.language
        from reviews as r join topic_assignment_state as s using (review_id)
        where r.first_seen_at >= ? and s.content_hash = r.content_hash
          and r.review_id not in (select review_id from duplicate_clusters where not is_canonical)
        order by r.first_seen_at desc, r.review_id
        """,
        [since],
    ).fetchall()
    covered = set(
        con.execute(
            "select distinct s.review_id, s.sentence_index from sentence_topics as s join reviews as r "
            "using (review_id) where r.first_seen_at >= ?",
            [since],
        ).fetchall()
    )
    out = [s for s in _sentences_for(con, reviews, polarity_band) if (s.review_id, s.sentence_index) not in covered]
    return out[:limit]


def _vectors(con: duckdb.DuckDBPyConnection, embedder: Embedder, sentences: list[SentenceRow]) -> np.ndarray:
    """Vectors kept by enrichment for these sentences; only sentences without one are embedded now."""
    stored = {
        (rid, idx, chash): vec
        for rid, idx, chash, vec in con.execute(
            "select review_id, sentence_index, content_hash, vector from topic_uncovered_vectors"
        ).fetchall()
    }
    found = [stored.get((s.review_id, s.sentence_index, s.content_hash)) for s in sentences]
    missing = [i for i, vec in enumerate(found) if vec is None]
    fresh = embedder.encode([sentences[i].text for i in missing]) if missing else None
    dim = fresh.shape[1] if fresh is not None else len(found[0])  # type: ignore[arg-type]
    out = np.zeros((len(sentences), dim), dtype=np.float32)
    for i, vec in enumerate(found):
        if vec is not None:
            out[i] = vec
    if fresh is not None:
        out[missing] = fresh
    return out


def _existing(con: duckdb.DuckDBPyConnection) -> tuple[list[str], np.ndarray, dict[str, int]]:
    """Centroids of every emerging topic ever seen (merged ones resolve to their target) and their sizes."""
    rows = con.execute(
        "select t.topic_id, t.status, t.merged_into, c.centroid, c.n_sentences from topics as t "
        "join topic_centroids as c using (topic_id) where t.kind = 'emerging' and t.status <> 'retired' "
        "order by t.topic_id"
    ).fetchall()
    merged = dict(con.execute("select topic_id, merged_into from topics where status = 'merged'").fetchall())
    ids, vecs, sizes = [], [], {}
    for topic_id, _status, _into, centroid, n in rows:
        target = topic_id
        for _ in range(10):  # follow merge chains (a → b → c)
            if target not in merged or merged[target] is None:
                break
            target = merged[target]
        ids.append(target)
        vecs.append(centroid)
        sizes[topic_id] = int(n)
    if not vecs:
        return [], np.zeros((0, 0), dtype=np.float32), {}
    return ids, np.array(vecs, dtype=np.float32), sizes


def _next_number(con: duckdb.DuckDBPyConnection) -> int:
    last = scalar(con, "select max(try_cast(regexp_extract(topic_id, 'emerging-(\\d+)', 1) as integer)) from topics")
    return int(last or 0) + 1


def update_emerging(
    con: duckdb.DuckDBPyConnection,
    *,
    embedder: Embedder | None = None,
    now: datetime | None = None,
    window_days: int = 30,
    min_size: int = 5,
    distance: float = 0.12,
    match: float = 0.85,
    max_sentences: int = 100_000,
    taxonomy_path: str | Path | None = None,
) -> dict[str, int]:
    """Cluster uncovered sentences of reviews first seen in the last ``window_days``; create or continue emerging
    topics and assign the clustered sentences to them. Returns counts."""
    now = now or utcnow()
    embedder = embedder or get_embedder()
    since = now - timedelta(days=window_days)
    band = load_taxonomy(taxonomy_path).calibration.polarity_band
    sentences = _uncovered(con, since, max_sentences, band)
    texts = [s.text for s in sentences]
    lemmas = lemmatize_many(texts, [s.language for s in sentences], drop_stop_words=True)
    keep = [i for i, lem in enumerate(lemmas) if len(set(lem)) >= MIN_CONTENT_LEMMAS]
    stats = {"n_uncovered": len(sentences), "n_clustered": 0, "n_clusters": 0, "n_new_topics": 0, "n_continued": 0}
    if len(keep) < min_size:
        return stats
    sentences = [sentences[i] for i in keep]
    lemmas = [lemmas[i] for i in keep]
    vectors = _vectors(con, embedder, sentences)
    clusters = build_clusters(vectors, lemmas, distance=distance, min_size=min_size)
    old_ids, old_vecs, old_sizes = _existing(con)
    number = _next_number(con)
    rows: list[tuple[Any, ...]] = []
    con.execute("begin transaction")
    try:
        for cluster in clusters:
            # The most central sentences, skipping verbatim repeats ("Спасибо!" three times shows nothing).
            central = [sentences[i].text.strip() for i in cluster.examples]
            examples = list(dict.fromkeys(central + [sentences[i].text.strip() for i in cluster.members]))[:3]
            sims = old_vecs @ cluster.centroid if len(old_ids) else np.zeros(0)
            if len(sims) and float(sims.max()) >= match:
                topic_id = old_ids[int(np.argmax(sims))]
                n_old = old_sizes.get(topic_id, 0)
                own = old_vecs[int(np.argmax(sims))]
                centroid = own * n_old + cluster.centroid * len(cluster.members)
                centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
                con.execute(
                    "update topics set key_phrases = ?, examples = ?, updated_at = ?, "
                    "version = version + case when key_phrases = ? then 0 else 1 end where topic_id = ?",
                    [cluster.key_phrases, examples, now, cluster.key_phrases, topic_id],
                )
                save_centroid(con, topic_id, centroid, n_old + len(cluster.members), now)
                stats["n_continued"] += 1
            else:
                topic_id = f"emerging-{number:04d}"
                number += 1
                label = ", ".join(cluster.key_phrases[:3])
                con.execute(
                    "insert into topics (topic_id, label_en, label_ru, description, stage, kind, status, version, "
                    "merged_into, first_seen_at, updated_at, key_phrases, examples) values "
                    "(?, ?, ?, null, null, 'emerging', 'active', 1, null, ?, ?, ?, ?)",
                    [topic_id, label, label, now, now, cluster.key_phrases, examples],
                )
                save_centroid(con, topic_id, cluster.centroid, len(cluster.members), now)
                stats["n_new_topics"] += 1
            for i in cluster.members:
                s = sentences[i]
                pol = s.polarity if s.polarity in ("negative", "neutral", "positive") else "neutral"
                score = float(vectors[i] @ cluster.centroid)
                rows.append(
                    (
                        s.review_id,
                        s.sentence_index,
                        topic_id,
                        score,
                        pol,
                        kind_of(pol),
                        s.start,
                        s.end,
                        s.content_hash,
                        now,
                    )
                )
        stats["n_clustered"] = insert_assignments(con, rows)
        # Clustered sentences are covered now; vectors of reviews that left the window will never be clustered.
        if rows:
            import pandas as pd

            clustered = pd.DataFrame([(r[0], r[1]) for r in rows], columns=["review_id", "sentence_index"])
            con.register("_molva_clustered", clustered)
            try:
                con.execute(
                    "delete from topic_uncovered_vectors as v using _molva_clustered as c "
                    "where v.review_id = c.review_id and v.sentence_index = c.sentence_index"
                )
            finally:
                con.unregister("_molva_clustered")
        con.execute(
            "delete from topic_uncovered_vectors where review_id in "
            "(select review_id from reviews where first_seen_at < ?)",
            [since],
        )
        stats["n_clusters"] = len(clusters)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return stats
