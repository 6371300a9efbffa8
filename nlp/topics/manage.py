"""What a CX manager does with topics: rename, merge, promote an emerging topic into the taxonomy.

Ids never change silently: rename changes labels only; merge is the one operation that moves sentences to another id
(and it records ``merged_into`` so later emerging runs continue the merged topic); promote keeps the id and writes
the topic into the taxonomy YAML with its key phrases as seed phrases.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import yaml

from nlp.lemmas import guess_language
from nlp.topics.main import refresh_main_topics
from nlp.topics.store import save_centroid, utcnow


class TopicError(ValueError):
    """A topic operation that cannot be done; the message says why."""


def _topic(con: duckdb.DuckDBPyConnection, topic_id: str) -> tuple:  # type: ignore[type-arg]
    row = con.execute(
        "select topic_id, kind, status, label_en, label_ru, description, key_phrases, examples, merged_into "
        "from topics where topic_id = ?",
        [topic_id],
    ).fetchone()
    if row is None:
        raise TopicError(f"no topic {topic_id!r} (see `molva topics list`)")
    return row


def rename(con: duckdb.DuckDBPyConnection, topic_id: str, *, label_en: str | None, label_ru: str | None) -> None:
    """New labels for an emerging topic (taxonomy labels live in the YAML, which enrichment re-reads)."""
    row = _topic(con, topic_id)
    if row[1] == "taxonomy":
        raise TopicError(f"{topic_id} is a taxonomy topic: change name_en/name_ru in the taxonomy YAML instead")
    if not label_en and not label_ru:
        raise TopicError("give --en and/or --ru")
    con.execute(
        "update topics set label_en = coalesce(?, label_en), label_ru = coalesce(?, label_ru), "
        "version = version + 1, updated_at = ? where topic_id = ?",
        [label_en, label_ru, utcnow(), topic_id],
    )


def merge(con: duckdb.DuckDBPyConnection, source: str, target: str) -> int:
    """Move every sentence of ``source`` to ``target``; ``source`` becomes ``merged``. Returns sentences moved."""
    if source == target:
        raise TopicError("cannot merge a topic into itself")
    src, dst = _topic(con, source), _topic(con, target)
    if src[2] != "active" or dst[2] != "active":
        raise TopicError("both topics must be active (a merged or retired topic cannot take part in a merge)")
    now = utcnow()
    con.execute("begin transaction")
    try:
        # Sentences already tagged with the target keep that row; the rest are moved.
        con.execute(
            "delete from sentence_topics as s where s.topic_id = ? and exists (select 1 from sentence_topics as t "
            "where t.review_id = s.review_id and t.sentence_index = s.sentence_index and t.topic_id = ?)",
            [source, target],
        )
        moved = con.execute("update sentence_topics set topic_id = ? where topic_id = ?", [target, source]).fetchone()
        touched = [r[0] for r in con.execute(
            "select distinct review_id from sentence_topics where topic_id = ?", [target]).fetchall()]  # fmt: skip
        refresh_main_topics(con, touched)
        cents = dict(
            (r[0], (np.array(r[1], dtype=np.float32), r[2]))
            for r in con.execute(
                "select topic_id, centroid, n_sentences from topic_centroids where topic_id in (?, ?)", [source, target]
            ).fetchall()
        )
        if source in cents:
            vec, n = cents[source]
            if target in cents:
                tvec, tn = cents[target]
                vec, n = vec * n + tvec * tn, n + tn
                vec = vec / max(float(np.linalg.norm(vec)), 1e-12)
            save_centroid(con, target, vec, n, now)
        con.execute(
            "update topics set status = 'merged', merged_into = ?, version = version + 1, updated_at = ? "
            "where topic_id = ?",
            [target, now, source],
        )
        con.execute(
            "update topics set key_phrases = list_distinct(list_concat(key_phrases, ?)), version = version + 1, "
            "updated_at = ? where topic_id = ?",
            [list(src[6] or []), now, target],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return int(moved[0]) if moved else 0


def promote(
    con: duckdb.DuckDBPyConnection,
    topic_id: str,
    taxonomy_path: str | Path,
    *,
    stage: str | None = None,
    label_en: str | None = None,
    label_ru: str | None = None,
) -> dict[str, object]:
    """Accept an emerging topic into the taxonomy under its id: the topic row becomes ``taxonomy`` and an entry
    (labels, stage, key phrases and examples as seed phrases) is appended to the taxonomy YAML."""
    from nlp.topics.taxonomy import Topic, load_taxonomy

    row = _topic(con, topic_id)
    if row[1] != "emerging" or row[2] != "active":
        raise TopicError(f"{topic_id} is not an active emerging topic")
    path = Path(taxonomy_path)
    taxonomy = load_taxonomy(path)
    if topic_id in taxonomy.ids:
        raise TopicError(f"{path} already has a topic {topic_id!r}")
    seeds: dict[str, list[str]] = {"en": [], "ru": []}
    for phrase in [*(row[6] or []), *(row[7] or [])]:
        seeds[guess_language(phrase)].append(phrase)
    entry = Topic(
        id=topic_id,
        name_en=label_en or row[3] or topic_id,
        name_ru=label_ru or row[4] or topic_id,
        description=row[5] or f"Promoted from emerging topic {topic_id}.",
        stage=stage,  # type: ignore[arg-type]
        seeds={k: v[:8] for k, v in seeds.items() if v},
    )
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["topics"].append(entry.model_dump(exclude_none=True))
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    con.execute(
        "update topics set kind = 'taxonomy', stage = ?, label_en = ?, label_ru = ?, version = version + 1, "
        "updated_at = ? where topic_id = ?",
        [stage, entry.name_en, entry.name_ru, utcnow(), topic_id],
    )
    return entry.model_dump()
