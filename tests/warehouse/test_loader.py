from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from molva.privacy import pseudonymise
from warehouse.ids import review_id
from warehouse.loader import load_reviews

T1 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
TABLES = ["reviews", "review_versions"]


def row(external_id: str = "r1", **overrides: Any) -> dict[str, Any]:
    base = {
        "platform": "trustpilot",
        "external_id": external_id,
        "text": "Доставка опоздала на два часа",
        "title": "Опоздание",
        "rating": 2,
        "rating_scale": 5,
        "author": "Анна К.",
        "published_at": "2026-10-30T09:15:00+03:00",
        "url": f"https://example.org/reviews/{external_id}",
    }
    base.update(overrides)
    return base


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {t: con.execute(f"select * from {t} order by all").fetchall() for t in TABLES}


def test_new_rows_are_normalised_and_pseudonymised(warehouse: duckdb.DuckDBPyConnection) -> None:
    result = load_reviews(warehouse, [row()], salt="s3cret", now=T1)
    assert (result.n_new, result.n_rejected) == (1, 0)
    got = warehouse.execute(
        "select review_id, author_hash, rating_norm, published_at, first_seen_at, version from reviews"
    ).fetchone()
    assert got is not None
    assert got[0] == review_id("trustpilot", "r1")
    assert got[1] == pseudonymise("Анна К.", "s3cret") and "Анна" not in got[1]
    assert got[2] == pytest.approx(0.25)
    assert got[3] == datetime(2026, 10, 30, 6, 15)  # stored in UTC
    assert got[4] == datetime(2026, 11, 1, 12, 0)
    assert got[5] == 1


def test_loading_the_same_rows_twice_leaves_tables_identical(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = [row("a"), row("b", rating=5, text="Всё отлично"), row("c", rating=None, rating_scale=None, kind="mention")]
    first = load_reviews(warehouse, rows, now=T1)
    before = snapshot(warehouse)
    second = load_reviews(warehouse, rows, now=T1)
    assert first.n_new == 3 and second.n_new == 0 and second.n_unchanged == 3
    assert snapshot(warehouse) == before


def test_an_edited_review_keeps_its_id_and_gains_a_version(warehouse: duckdb.DuckDBPyConnection) -> None:
    load_reviews(warehouse, [row()], now=T1)
    edited = row(text="Доставка опоздала, но курьер извинился", rating=3)
    result = load_reviews(warehouse, [edited], now=T2)
    assert result.n_updated == 1
    rid = review_id("trustpilot", "r1")
    current = warehouse.execute("select text, rating, version, first_seen_at, last_seen_at from reviews").fetchall()
    assert current == [(edited["text"], 3.0, 2, datetime(2026, 11, 1, 12), datetime(2026, 11, 2, 12))]
    versions = warehouse.execute(
        "select review_id, version, text, rating, valid_from, replaced_at from review_versions"
    )
    assert versions.fetchall() == [
        (rid, 1, "Доставка опоздала на два часа", 2.0, datetime(2026, 11, 1, 12), datetime(2026, 11, 2, 12))
    ]
    # Re-loading the edited content changes nothing more.
    before = snapshot(warehouse)
    assert load_reviews(warehouse, [edited], now=T2).n_unchanged == 1
    assert snapshot(warehouse) == before


def test_an_older_snapshot_never_overwrites_newer_content(warehouse: duckdb.DuckDBPyConnection) -> None:
    load_reviews(warehouse, [row(text="new text")], now=T2)
    result = load_reviews(warehouse, [row(text="old text")], now=T1)
    assert result.n_stale == 1
    assert warehouse.execute("select text from reviews").fetchall() == [("new text",)]


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ({"external_id": None}, "external_id", "missing"),
        ({"text": "   "}, "text", "missing or empty"),
        ({"rating": 6}, "rating", "outside its scale"),
        ({"rating": "five"}, "rating", "not a number"),
        ({"rating_scale": None}, "rating_scale", "has no scale"),
        ({"published_at": "30 февраля"}, "published_at", "unparseable date"),
        ({"published_at": "2031-01-01T00:00:00Z"}, "published_at", "in the future"),
        ({"kind": "tweet"}, "kind", "must be one of"),
    ],
)
def test_bad_rows_are_rejected_with_line_field_and_reason(
    warehouse: duckdb.DuckDBPyConnection, bad: dict[str, Any], field: str, reason: str
) -> None:
    broken = row("bad")
    broken.update(bad)
    rows = [row("good-1"), broken, row("good-2")]
    result = load_reviews(warehouse, rows, now=T1)
    assert result.n_new == 2
    assert [(r.line, r.field) for r in result.rejects] == [(2, field)]
    assert reason in result.rejects[0].reason


def test_a_crash_mid_batch_leaves_the_database_as_before(
    warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_reviews(warehouse, [row("a")], now=T1)
    before = snapshot(warehouse)
    real_execute = duckdb.DuckDBPyConnection.execute

    class Boom(RuntimeError):
        pass

    def exploding(self: duckdb.DuckDBPyConnection, sql: str, *args: Any) -> Any:
        if "insert into reviews" in sql:
            raise Boom("disk full")
        return real_execute(self, sql, *args)

    proxy = _Proxy(warehouse, exploding)
    with pytest.raises(Boom):
        load_reviews(proxy, [row("a", text="edited"), row("b")], now=T2)  # type: ignore[arg-type]
    assert snapshot(warehouse) == before


class _Proxy:
    """Forwards to a real connection but routes execute() through a hook, to simulate a failure inside the batch."""

    def __init__(self, con: duckdb.DuckDBPyConnection, hook: Any) -> None:
        self._con, self._hook = con, hook

    def execute(self, sql: str, *args: Any) -> Any:
        return self._hook(self._con, sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_duplicates_within_one_input_count_once(warehouse: duckdb.DuckDBPyConnection) -> None:
    result = load_reviews(warehouse, [row("a"), row("a")], now=T1)
    assert (result.n_new, result.n_duplicate_in_input) == (1, 1)


def test_batches_are_independent_transactions(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = [row(str(i)) for i in range(25)]
    result = load_reviews(warehouse, rows, now=T1, batch_size=10)
    assert result.n_new == 25
    assert warehouse.execute("select count(*) from reviews").fetchone() == (25,)


def test_pseudonymise_is_idempotent_and_salted() -> None:
    once = pseudonymise("  John   Smith ", "a")
    assert once is not None and once.startswith("anon:")
    assert pseudonymise(once, "a") == once
    assert pseudonymise("john smith", "a") == once  # case and spacing do not split one author in two
    assert pseudonymise("John Smith", "b") != once
    assert pseudonymise("", "a") is None and pseudonymise(None, "a") is None
