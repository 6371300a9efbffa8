"""The review-record contract on its own: the rules and the normal form that the pipeline and the loader share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from molva.privacy import pseudonymise
from molva.records import RecordError, clean_record, iso_utc

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BASE = {"platform": "trustpilot", "external_id": "r1", "text": "  Fine\x00 service  "}


def clean(**fields: object) -> dict:
    return clean_record({**BASE, **fields}, now=NOW, salt="s3cret")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"external_id": None}, "external_id", "missing"),
        ({"platform": " "}, "platform", "missing"),
        ({"text": "  \x00 "}, "text", "missing or empty"),
        ({"rating": 6, "rating_scale": 5}, "rating", "6 is outside its scale 1–5"),
        ({"rating": "five", "rating_scale": 5}, "rating", "not a number"),
        ({"rating": 4}, "rating_scale", "rating 4 has no scale"),
        ({"rating": 1, "rating_scale": 1}, "rating_scale", "must exceed its minimum"),
        ({"published_at": "yesterday"}, "published_at", "unparseable date 'yesterday'"),
        ({"reply_at": "2026-12-05T00:00:00+00:00"}, "reply_at", "is in the future"),
        ({"kind": "tweet"}, "kind", "must be one of review, mention"),
    ],
)
def test_each_rule_names_its_field(fields: dict, field: str, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        clean(**fields)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_normal_form() -> None:
    out = clean(
        rating="4", rating_scale=5, title=" Two\n lines ", author="Anna K.",
        published_at="2026-11-29T21:30:00+03:00", reply_at="2026-12-01T06:00:00+00:00",
    )  # fmt: skip
    assert out["text"] == "Fine service"  # trimmed, NUL bytes gone
    assert out["title"] == "Two lines"
    assert (out["rating"], out["rating_min"], out["rating_scale"], out["rating_norm"]) == (4.0, 1.0, 5.0, 0.75)
    assert out["published_at"] == datetime(2026, 11, 29, 18, 30)  # UTC, naive
    assert iso_utc(out["published_at"]) == "2026-11-29T18:30:00+00:00"
    assert out["reply_at"] == datetime(2026, 12, 1, 6, 0)  # within a day of now: time zones
    assert out["author"] == pseudonymise("Anna K.", "s3cret") and out["author"].startswith("anon:")
    assert out["kind"] == "review"


def test_pseudonymisation_is_idempotent_and_can_be_turned_off() -> None:
    once = clean(author="Anna K.")
    assert clean_record(once, now=NOW, salt="s3cret")["author"] == once["author"]
    kept = clean_record({**BASE, "author": "Anna K."}, now=NOW, salt="s3cret", pseudonymise_authors=False)
    assert kept["author"] == "Anna K."


def test_source_and_brand_fill_in_only_what_is_missing() -> None:
    out = clean_record({**BASE, "brand_id": "own"}, now=NOW, salt="s", source_id="src", brand_id="other")
    assert (out["source_id"], out["brand_id"]) == ("src", "own")
