"""Idempotent upsert of reviews into the warehouse.

Each batch is validated row by row (bad rows become :class:`Reject` records with their line and reason), then written in
one transaction: new reviews are inserted, edited ones keep their id, gain a ``review_versions`` row with the previous
content and a new version number, unchanged ones only move ``last_seen_at`` forward. A failure inside the batch rolls
the whole batch back, so the database is as it was before it; earlier batches stay committed. A write that fails (a
full disk, a file-size limit) is a :class:`LoadError` that names the real cause, never the rollback that followed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from molva.privacy import resolve_salt
from molva.records import RecordError, as_utc_naive, clean_record
from warehouse.ids import content_hash, review_id

# Dates later than now + this are rejected as "in the future" (time zones and clock skew get some slack).

_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("review_id", pa.string()),
    ("source_id", pa.string()),
    ("brand_id", pa.string()),
    ("platform", pa.string()),
    ("external_id", pa.string()),
    ("kind", pa.string()),
    ("url", pa.string()),
    ("author_hash", pa.string()),
    ("rating", pa.float64()),
    ("rating_min", pa.float64()),
    ("rating_scale", pa.float64()),
    ("rating_norm", pa.float64()),
    ("title", pa.string()),
    ("text", pa.string()),
    ("language", pa.string()),
    ("published_at", pa.timestamp("us")),
    ("content_hash", pa.string()),
    ("reply_text", pa.string()),
    ("reply_at", pa.timestamp("us")),
    ("parser_version", pa.string()),
    ("extra", pa.string()),
    ("raw", pa.string()),
    ("seen_at", pa.timestamp("us")),
]
_CONTENT = [
    "source_id",
    "brand_id",
    "kind",
    "url",
    "author_hash",
    "rating",
    "rating_min",
    "rating_scale",
    "rating_norm",
    "title",
    "text",
    "language",
    "published_at",
    "content_hash",
    "reply_text",
    "reply_at",
    "parser_version",
    "extra",
    "raw",
]


@dataclass
class Reject:
    """A row that was not loaded: where it was (1-based line or row number), which field, and why."""

    line: int | None
    field: str
    reason: str
    row: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason, "row": self.row}


@dataclass
class LoadResult:
    n_rows: int = 0
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_stale: int = 0
    n_duplicate_in_input: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def n_rejected(self) -> int:
        return len(self.rejects)

    def add(self, other: LoadResult) -> None:
        self.n_rows += other.n_rows
        self.n_new += other.n_new
        self.n_updated += other.n_updated
        self.n_unchanged += other.n_unchanged
        self.n_stale += other.n_stale
        self.n_duplicate_in_input += other.n_duplicate_in_input
        self.rejects.extend(other.rejects)


class LoadError(RuntimeError):
    """Writing one batch failed and it was rolled back; ``stored`` counts the earlier batches, which stay committed."""

    def __init__(self, cause: BaseException, stored: LoadResult, lines: tuple[int, int]) -> None:
        self.cause = cause
        self.stored = stored
        self.lines = lines
        kept = stored.n_new + stored.n_updated + stored.n_unchanged + stored.n_stale
        text = " ".join(str(cause).split())
        hint = ""
        if any(s in text.lower() for s in ("file too large", "no space left", "disk full", "disk is full")):
            hint = (
                " The disk is full or a file-size limit is reached: free space and load again (loads are idempotent)."
            )
        super().__init__(
            f"writing rows {lines[0]}–{lines[1]} failed, so that batch was rolled back: {text}. "
            f"{kept} rows of this load were stored before it; nothing stored earlier was lost.{hint}"
        )


RowError = RecordError  # a row that breaks the review-record contract (field + reason)


def load_reviews(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[dict[str, Any] | Reject],
    *,
    source_id: str | None = None,
    brand_id: str | None = None,
    salt: str | None = None,
    pseudonymise_authors: bool = True,
    now: datetime | None = None,
    batch_size: int = 5000,
) -> LoadResult:
    """Validate and upsert review rows (``crawlers.items.Review.to_dict()`` shape).

    ``rows`` may contain :class:`Reject` items (e.g. lines a reader could not parse): they are counted as rejects.
    ``now`` is when Molva saw the rows (default: the current time); it becomes ``first_seen_at``/``last_seen_at``.
    """
    seen_at = as_utc_naive(now or datetime.now(UTC))
    salt = resolve_salt(salt, where="load") if pseudonymise_authors else (salt or "")
    result = LoadResult()
    for batch in _batches(rows, batch_size):
        prepared: dict[str, dict[str, Any]] = {}
        batch_result = LoadResult()
        for line, row in batch:
            batch_result.n_rows += 1
            if isinstance(row, Reject):
                batch_result.rejects.append(row)
                continue
            try:
                clean = _prepare(row, source_id, brand_id, salt, pseudonymise_authors, seen_at)
            except RowError as exc:
                batch_result.rejects.append(Reject(line, exc.field, exc.reason, _jsonable(row)))
                continue
            if clean["review_id"] in prepared:
                batch_result.n_duplicate_in_input += 1
            prepared[clean["review_id"]] = clean  # the last copy of a review in the input wins
        if prepared:
            try:
                _upsert(con, list(prepared.values()), batch_result)
            except (duckdb.Error, OSError) as exc:
                raise LoadError(exc, result, (batch[0][0], batch[-1][0])) from exc
        result.add(batch_result)
    return result


def _batches(rows: Iterable[dict[str, Any] | Reject], size: int) -> Iterator[list[tuple[int, dict[str, Any] | Reject]]]:
    batch: list[tuple[int, dict[str, Any] | Reject]] = []
    for index, row in enumerate(rows, start=1):
        line = (
            row.line
            if isinstance(row, Reject) and row.line
            else int(row.get("_line", index) if isinstance(row, dict) else index)
        )
        batch.append((line, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepare(
    row: dict[str, Any], source_id: str | None, brand_id: str | None, salt: str, pseudo: bool, seen_at: datetime
) -> dict[str, Any]:
    """The contract's normal form of ``row`` (:func:`molva.records.clean_record`) as a ``reviews`` row."""
    record = clean_record(
        row, now=seen_at, salt=salt, pseudonymise_authors=pseudo, source_id=source_id, brand_id=brand_id
    )
    clean: dict[str, Any] = {
        "review_id": review_id(record["platform"], record["external_id"]),
        **{k: v for k, v in record.items() if k not in ("author", "extra", "raw")},
        "author_hash": record["author"],
        "extra": json.dumps(record["extra"], ensure_ascii=False, sort_keys=True, default=str),
        "raw": None if record["raw"] is None else json.dumps(record["raw"], ensure_ascii=False, default=str),
        "seen_at": seen_at,
    }
    clean["content_hash"] = content_hash(clean)
    return clean


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(row, ensure_ascii=False, default=str))


def _upsert(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]], result: LoadResult) -> None:
    names = [n for n, _ in _COLUMNS]
    table = pa.table({n: pa.array([r[n] for r in rows], type=t) for n, t in _COLUMNS})
    content_set = ", ".join(f"{c} = b.{c}" for c in _CONTENT)
    con.execute("begin transaction")
    try:
        con.register("_molva_batch_arrow", table)
        con.execute("create or replace temp table _molva_batch as select * from _molva_batch_arrow")
        con.unregister("_molva_batch_arrow")
        counts = con.execute(
            """
            select
                count(*) filter (where r.review_id is null) as n_new,
                count(*) filter (where r.review_id is not null and r.content_hash <> b.content_hash
                                 and b.seen_at >= r.last_seen_at) as n_updated,
                count(*) filter (where r.review_id is not null and r.content_hash = b.content_hash) as n_unchanged,
                count(*) filter (where r.review_id is not null and r.content_hash <> b.content_hash
                                 and b.seen_at < r.last_seen_at) as n_stale
            from _molva_batch as b
            left join reviews as r on r.review_id = b.review_id
            """
        ).fetchone()
        assert counts is not None
        # Keep the content being replaced, with the time span Molva saw it.
        con.execute(
            """
            insert into review_versions
            select r.review_id, r.version, r.content_hash, r.title, r.text, r.rating, r.reply_text, r.reply_at,
                   r.published_at,
                   coalesce((select max(v.replaced_at) from review_versions as v where v.review_id = r.review_id),
                            r.first_seen_at) as valid_from,
                   b.seen_at as replaced_at
            from reviews as r
            join _molva_batch as b on b.review_id = r.review_id
            where r.content_hash <> b.content_hash and b.seen_at >= r.last_seen_at
            """
        )
        con.execute(
            f"""
            update reviews set {content_set}, version = reviews.version + 1,
                   last_seen_at = greatest(reviews.last_seen_at, b.seen_at)
            from _molva_batch as b
            where reviews.review_id = b.review_id and reviews.content_hash <> b.content_hash
              and b.seen_at >= reviews.last_seen_at
            """
        )
        con.execute(
            """
            update reviews set last_seen_at = b.seen_at
            from _molva_batch as b
            where reviews.review_id = b.review_id and reviews.content_hash = b.content_hash
              and b.seen_at > reviews.last_seen_at
            """
        )
        insert_cols = ", ".join(n for n in names if n != "seen_at")
        con.execute(
            f"""
            insert into reviews ({insert_cols}, first_seen_at, last_seen_at, version)
            select {insert_cols}, seen_at, seen_at, 1
            from _molva_batch as b
            where not exists (select 1 from reviews as r where r.review_id = b.review_id)
            """
        )
        con.execute("drop table _molva_batch")
        con.execute("commit")
    except BaseException as exc:
        try:
            con.execute("rollback")
        except duckdb.Error as undo:  # a failed commit has already ended the transaction: the first error is the cause
            exc.add_note(f"rollback: {undo}")
        raise
    result.n_new += int(counts[0])
    result.n_updated += int(counts[1])
    result.n_unchanged += int(counts[2])
    result.n_stale += int(counts[3])
