"""Reading and writing the topic tables (migration 030): the taxonomy rows, centroids and sentence assignments.

Kept apart from the compute modules so :mod:`nlp.topics.assign` and :mod:`nlp.topics.cluster` stay pure.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np

from nlp.topics.main import refresh_sql
from nlp.topics.taxonomy import Taxonomy


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first column of the first row (None for no row). Fetches the whole result, so the connection is free for
    statements that need no pending result (``unregister``)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def utcnow() -> datetime:
    """Naive UTC timestamp, the warehouse's convention."""
    return datetime.now(UTC).replace(tzinfo=None)


def taxonomy_hash(taxonomy: Taxonomy) -> str:
    return hashlib.sha256(json.dumps(taxonomy.model_dump(), sort_keys=True).encode()).hexdigest()[:16]


def sync_taxonomy(con: duckdb.DuckDBPyConnection, taxonomy: Taxonomy, now: datetime | None = None) -> dict[str, int]:
    """Upsert taxonomy topics; bump ``version`` when labels, description, stage or phrases change; mark taxonomy
    topics that left the YAML as ``retired`` (their past assignments stay, with their ids)."""
    now = now or utcnow()
    existing = {
        row[0]: row[1:]
        for row in con.execute(
            "select topic_id, label_en, label_ru, description, stage, key_phrases, version, status, kind from topics"
        ).fetchall()
    }
    stats = {"n_new": 0, "n_changed": 0, "n_retired": 0}
    for topic in taxonomy.topics:
        phrases = topic.phrases()
        fields = (topic.name_en, topic.name_ru, topic.description, topic.stage, phrases)
        old = existing.get(topic.id)
        if old is None:
            con.execute(
                "insert into topics (topic_id, label_en, label_ru, description, stage, kind, status, version, "
                "first_seen_at, updated_at, key_phrases, examples) values (?, ?, ?, ?, ?, 'taxonomy', 'active', 1, "
                "?, ?, ?, [])",
                [topic.id, *fields[:4], now, now, phrases],
            )
            stats["n_new"] += 1
        elif (
            tuple(old[:4]) != fields[:4] or list(old[4] or []) != phrases or old[6] == "retired" or old[7] != "taxonomy"
        ):
            con.execute(
                "update topics set label_en = ?, label_ru = ?, description = ?, stage = ?, key_phrases = ?, "
                "kind = 'taxonomy', status = case when status = 'merged' then status else 'active' end, "
                "version = version + 1, updated_at = ? where topic_id = ?",
                [*fields, now, topic.id],
            )
            stats["n_changed"] += 1
    gone = [
        tid for tid, row in existing.items() if row[7] == "taxonomy" and row[6] == "active" and tid not in taxonomy.ids
    ]
    for tid in gone:
        con.execute("update topics set status = 'retired', updated_at = ? where topic_id = ?", [now, tid])
    stats["n_retired"] = len(gone)
    return stats


def load_centroids(con: duckdb.DuckDBPyConnection, kind: str = "emerging") -> tuple[list[str], np.ndarray]:
    """Ids and unit centroids of active topics of ``kind``."""
    rows = con.execute(
        "select c.topic_id, c.centroid from topic_centroids c join topics t using (topic_id) "
        "where t.status = 'active' and t.kind = ? order by c.topic_id",
        [kind],
    ).fetchall()
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=np.float32)


def save_centroid(con: duckdb.DuckDBPyConnection, topic_id: str, centroid: np.ndarray, n: int, now: datetime) -> None:
    con.execute(
        "insert or replace into topic_centroids (topic_id, centroid, n_sentences, updated_at) values (?, ?, ?, ?)",
        [topic_id, [float(x) for x in centroid], int(n), now],
    )


ASSIGNMENT_COLUMNS = ["review_id", "sentence_index", "topic_id", "score", "polarity", "kind", "start_char", "end_char",
                      "content_hash", "assigned_at"]  # fmt: skip


def insert_assignments(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> int:
    """Insert sentence_topics rows (``ASSIGNMENT_COLUMNS``) in one set-based statement; a (review, sentence, topic)
    already present keeps its row (ids never move). Returns the rows added. The main topic and weights of the
    touched reviews' sentences are then re-derived (:mod:`nlp.topics.main`).

    Row-by-row inserts cost milliseconds each in DuckDB: 9 s for the emerging topics of 3,000 reviews.
    """
    if not rows:
        return 0
    import pandas as pd

    con.register("_molva_assignments", pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS))
    try:
        before = int(scalar(con, "select count(*) from sentence_topics"))
        columns = ", ".join(ASSIGNMENT_COLUMNS)
        con.execute(f"insert or ignore into sentence_topics ({columns}) select {columns} from _molva_assignments")
        added = int(scalar(con, "select count(*) from sentence_topics")) - before
        con.execute(refresh_sql("(select distinct review_id from _molva_assignments)"))
        return added
    finally:
        con.unregister("_molva_assignments")
