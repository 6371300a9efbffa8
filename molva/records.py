"""The review-record contract: what one review must hold, and its normal form, in one place.

The Scrapy item pipeline (``crawlers.pipelines.ContractPipeline``) and the warehouse loader
(``warehouse.loader.load_reviews``) both call :func:`clean_record`, so a review crawled tonight and the same review
loaded from a JSON Lines export are validated by the same rules, get the same normal form and the same pseudonym.

Rules: ``platform``, ``external_id`` and a non-blank ``text`` are present; ``kind`` is ``review`` or ``mention``; a
rating has a scale whose maximum exceeds its minimum and lies within it; dates are ISO 8601 and at most a day in the
future (platforms in far-east time zones show "tomorrow" for a few hours). Normal form: text fields trimmed and free
of NUL bytes (DuckDB and most tools truncate at them), ratings as floats with ``rating_norm`` in 0..1, dates as naive
UTC datetimes, the author pseudonymised (salted HMAC, :func:`molva.privacy.pseudonymise`) unless the deployment turned
that off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from molva.privacy import pseudonymise

KINDS = ("review", "mention")
FUTURE_SLACK = timedelta(days=1)


class RecordError(ValueError):
    """A record breaks the contract: ``field`` names what is wrong and ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def clean_record(
    row: Mapping[str, Any],
    *,
    now: datetime,
    salt: str,
    pseudonymise_authors: bool = True,
    source_id: str | None = None,
    brand_id: str | None = None,
) -> dict[str, Any]:
    """Validate one review record (the ``crawlers.items.Review.to_dict()`` shape) and return its normal form.

    ``now`` is when Molva saw it (the future-date check is relative to it); ``source_id`` and ``brand_id`` fill in
    what the record does not carry. Raises :class:`RecordError` for the first rule broken.
    """
    seen_at = as_utc_naive(now)
    platform = _required_str(row, "platform")
    external_id = _required_str(row, "external_id")
    text = _optional_str(row, "text")
    if text is None:
        raise RecordError("text", "missing or empty review text")
    kind = row.get("kind") or "review"
    if kind not in KINDS:
        raise RecordError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    rating, rating_min, rating_scale, rating_norm = _rating(row)
    author = _optional_str(row, "author")
    return {
        "platform": platform,
        "external_id": external_id,
        "kind": kind,
        "source_id": row.get("source_id") or source_id,
        "brand_id": row.get("brand_id") or brand_id,
        "url": _optional_str(row, "url"),
        "author": pseudonymise(author, salt) if (pseudonymise_authors and author) else author,
        "rating": rating,
        "rating_min": rating_min,
        "rating_scale": rating_scale,
        "rating_norm": rating_norm,
        "title": _single_line(_optional_str(row, "title")),
        "text": text,
        "language": _optional_str(row, "language"),
        "published_at": _timestamp(row, "published_at", seen_at),
        "reply_text": _optional_str(row, "reply_text"),
        "reply_at": _timestamp(row, "reply_at", seen_at),
        "parser_version": _optional_str(row, "parser_version"),
        "extra": dict(row.get("extra") or {}),
        "raw": row.get("raw"),
    }


def as_utc_naive(moment: datetime) -> datetime:
    """A datetime in UTC without tzinfo (how the warehouse stores ``*_at`` columns); naive input is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def iso_utc(moment: datetime | None) -> str | None:
    """A naive-UTC datetime as an ISO 8601 string with ``+00:00`` (the JSON Lines form of a date)."""
    return None if moment is None else moment.replace(tzinfo=UTC).isoformat()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _required_str(row: Mapping[str, Any], name: str) -> str:
    value = _optional_str(row, name)
    if value is None:
        raise RecordError(name, "missing")
    return value


def _optional_str(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if _missing(value):
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def _single_line(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


def _number(row: Mapping[str, Any], name: str) -> float | None:
    value = row.get(name)
    if value is None or _missing(value) or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(name, f"not a number: {value!r}") from None
    return None if math.isnan(number) else number


def _rating(row: Mapping[str, Any]) -> tuple[float | None, float | None, float | None, float | None]:
    rating = _number(row, "rating")
    scale = _number(row, "rating_scale")
    low = _number(row, "rating_min")
    low = 1.0 if low is None else low
    if rating is None:
        return None, (low if scale is not None else None), scale, None
    if scale is None:
        raise RecordError("rating_scale", f"rating {rating:g} has no scale")
    if scale <= low:
        raise RecordError("rating_scale", f"scale maximum {scale:g} must exceed its minimum {low:g}")
    if not low <= rating <= scale:
        raise RecordError("rating", f"{rating:g} is outside its scale {low:g}–{scale:g}")
    return rating, low, scale, (rating - low) / (scale - low)


def _timestamp(row: Mapping[str, Any], name: str, seen_at: datetime) -> datetime | None:
    value = row.get(name)
    if _missing(value) or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise RecordError(name, f"unparseable date {value!r} (expected ISO 8601)") from None
    parsed = as_utc_naive(parsed)
    if parsed > seen_at + FUTURE_SLACK:
        raise RecordError(name, f"{value} is in the future")
    return parsed
