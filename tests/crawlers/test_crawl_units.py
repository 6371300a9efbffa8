"""Small pure pieces of the crawling side: Retry-After parsing, item validation and normalisation, selector files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.items import Review
from crawlers.middlewares import retry_after_seconds
from crawlers.parsers.common import stable_id, to_iso, to_number
from crawlers.pipelines import ContractPipeline

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Mon, 30 Nov 2026 12:00:30 GMT", now=NOW) == 30.0
    assert retry_after_seconds("Mon, 30 Nov 2026 11:00:00 GMT", now=NOW) == 0.0  # in the past: no wait
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


def review(**fields: object) -> Review:
    base: dict[str, object] = {"platform": "x", "external_id": "1", "text": "fine"}
    base.update(fields)
    return Review(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, None),
        ({"text": "  "}, "text: missing or empty review text"),
        ({"external_id": ""}, "external_id: missing"),
        ({"rating": 6.0, "rating_scale": 5.0}, "rating: 6 is outside its scale 1–5"),
        ({"rating": 0.0, "rating_scale": 10.0, "rating_min": 0.0}, None),
        ({"rating": 4.0}, "rating_scale: rating 4 has no scale"),
        ({"published_at": "2026-12-05T00:00:00+00:00"}, "published_at: 2026-12-05T00:00:00+00:00 is in the future"),
        ({"published_at": "2026-12-01T06:00:00+00:00"}, None),  # within a day: time zones
        ({"published_at": "yesterday"}, "published_at: unparseable date 'yesterday' (expected ISO 8601)"),
        ({"kind": "tweet"}, "kind: must be one of review, mention, got 'tweet'"),
    ],
)
def test_validation(fields: dict[str, object], problem: str | None) -> None:
    assert ContractPipeline.problem(review(**fields), NOW) == problem


def test_dates_numbers_and_ids() -> None:
    assert to_iso("2024-02-22T18:34:06.000Z") == "2024-02-22T18:34:06+00:00"
    assert to_iso("2024-02-22T21:34:06+03:00") == "2024-02-22T18:34:06+00:00"
    assert to_iso("12 марта 2024", languages=["ru"]) == "2024-03-12T00:00:00+00:00"
    assert to_iso("вчера", languages=["ru"], now=datetime(2026, 11, 30, 12, 0)) == "2026-11-29T12:00:00+00:00"
    assert to_iso("1759222974", date_format="epoch") == "2025-09-30T09:02:54+00:00"
    assert to_number("4,5 из 5") == 4.5 and to_number("(5 of 5)", r"\((\d+) of") == 5.0
    assert stable_id("a", None, "t") == stable_id("a", None, "t") != stable_id("a", None, "u")


def test_selector_file_errors_name_file_and_field(tmp_path: Path) -> None:
    from crawlers.parsers.selectors import SelectorConfigError, load_selector_config

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nreview: div\nfields:\n  title: h3\n  body_text: p\n", encoding="utf-8")
    with pytest.raises(SelectorConfigError) as info:
        load_selector_config(bad)
    message = str(info.value)
    assert str(bad) in message and "body_text" in message and "fields" in message
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SelectorConfigError, match="YAML syntax"):
        load_selector_config(broken)


def test_shipped_selector_files_are_valid() -> None:
    from crawlers.parsers.selectors import load_selector_config

    folder = Path(__file__).resolve().parents[2] / "configs" / "selectors"
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    assert names == ["amazon_com", "dealerrater", "irecommend", "lendingtree", "otzovik"]
    for name in names:
        assert load_selector_config(folder / f"{name}.yaml").name == name
