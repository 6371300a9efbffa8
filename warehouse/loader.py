"""Idempotent upsert of reviews into the warehouse.

Each batch is validated row by row (bad rows become :class:`Reject` records with their line and reason), then written in
one transaction: new reviews are inserted, edited ones keep their id, gain a ``review_versions`` row with the previous
content and a new version number, unchanged ones only move ``last_seen_at`` forward. A failure inside the batch rolls
the whole batch back, so the database is as it was before it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from molva.privacy import pseudonymise
from warehouse.ids import content_hash, review_id

# Dates later than now + this are rejected as "in the future" (time zones and clock skew get some slack).
FUTURE_SLACK = timedelta(days=1)
KINDS = ("review", "mention")

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


class RowError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


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
    from molva.privacy import resolve_salt

    salt = resolve_salt(salt, where="load") if pseudonymise_authors else (salt or "")
    seen_at = _as_utc_naive(now or datetime.now(UTC))
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
            _upsert(con, list(prepared.values()), batch_result)
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
    platform = _required_str(row, "platform")
    external_id = _required_str(row, "external_id")
    text = row.get("text")
    if isinstance(text, str):
        text = text.replace("\x00", "")  # NUL bytes never reach the warehouse
    if not isinstance(text, str) or not text.strip():
        raise RowError("text", "missing or empty review text")
    kind = row.get("kind") or "review"
    if kind not in KINDS:
        raise RowError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    rating, rating_min, rating_scale, rating_norm = _rating(row)
    published_at = _timestamp(row, "published_at", seen_at)
    reply_at = _timestamp(row, "reply_at", seen_at)
    author = row.get("author")
    clean: dict[str, Any] = {
        "review_id": review_id(platform, external_id),
        "source_id": row.get("source_id") or source_id,
        "brand_id": row.get("brand_id") or brand_id,
        "platform": platform,
        "external_id": external_id,
        "kind": kind,
        "url": row.get("url"),
        "author_hash": pseudonymise(str(author), salt) if (pseudo and author) else (author or None),
        "rating": rating,
        "rating_min": rating_min,
        "rating_scale": rating_scale,
        "rating_norm": rating_norm,
        "title": _optional_str(row, "title"),
        "text": text,
        "language": _optional_str(row, "language"),
        "published_at": published_at,
        "reply_text": _optional_str(row, "reply_text"),
        "reply_at": reply_at,
        "parser_version": _optional_str(row, "parser_version"),
        "extra": json.dumps(row.get("extra") or {}, ensure_ascii=False, sort_keys=True, default=str),
        "raw": None if row.get("raw") is None else json.dumps(row["raw"], ensure_ascii=False, default=str),
        "seen_at": seen_at,
    }
    clean["content_hash"] = content_hash(clean)
    return clean


def _required_str(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        raise RowError(name, "missing")
    return str(value).strip()


def _optional_str(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = str(value).replace("\x00", "")
    return value if value.strip() else None


def _number(row: dict[str, Any], name: str) -> float | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(name, f"not a number: {value!r}") from None
    if math.isnan(number):
        return None
    return number


def _rating(row: dict[str, Any]) -> tuple[float | None, float | None, float | None, float | None]:
    rating = _number(row, "rating")
    scale = _number(row, "rating_scale")
    low = _number(row, "rating_min")
    low = 1.0 if low is None else low
    if rating is None:
        return None, (low if scale is not None else None), scale, None
    if scale is None:
        raise RowError("rating_scale", f"rating {rating:g} has no scale")
    if scale <= low:
        raise RowError("rating_scale", f"scale maximum {scale:g} must exceed its minimum {low:g}")
    if not low <= rating <= scale:
        raise RowError("rating", f"{rating:g} is outside its scale {low:g}–{scale:g}")
    return rating, low, scale, (rating - low) / (scale - low)


def _timestamp(row: dict[str, Any], name: str, seen_at: datetime) -> datetime | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise RowError(name, f"unparseable date {value!r} (expected ISO 8601)") from None
    parsed = _as_utc_naive(parsed)
    if parsed > seen_at + FUTURE_SLACK:
        raise RowError(name, f"{value} is in the future")
    return parsed


def _as_utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


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
    except BaseException:
        con.execute("rollback")
        raise
    result.n_new += int(counts[0])
    result.n_updated += int(counts[1])
    result.n_unchanged += int(counts[2])
    result.n_stale += int(counts[3])
