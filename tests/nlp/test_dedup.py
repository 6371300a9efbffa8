"""Near-duplicate clusters (MinHash LSH) and noise flags."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import pytest

from nlp.dedup import enrich_duplicates, find_duplicates, flag_text

TEXT = "Заказывал диван в этом магазине, доставили вовремя, сборщики аккуратные, диван отличный, всем советую"


def test_reposted_text_forms_one_cluster_with_the_earliest_as_canonical() -> None:
    links = find_duplicates(
        [("a", TEXT), ("b", "Совсем другой отзыв о плохой доставке и грубом курьере, больше не закажу"),
         ("c", TEXT.upper() + "!!! https://example.com/x"), ("d", TEXT)]
    )  # fmt: skip
    by_id = {x.review_id: x for x in links}
    assert set(by_id) == {"a", "c", "d"}
    assert by_id["a"].is_canonical and not by_id["c"].is_canonical and by_id["d"].cluster_id == "a"
    assert all(x.similarity >= 0.8 for x in links)


def test_flags() -> None:
    assert [f for f, _ in flag_text("ok")] == ["too_short"]
    assert [f for f, _ in flag_text("https://spam.example.com/a www.x.ru")] == ["links_only", "advertising"]
    assert "advertising" in [f for f, _ in flag_text("Лучшие цены! Промокод SALE20, пишите в телеграм")]
    assert "advertising" in [f for f, _ in flag_text("Звоните +7 (999) 123-45-67 сегодня со скидкой для всех")]
    assert "repeated" in [f for f, _ in flag_text("супер супер супер супер супер")]
    assert [f for f, _ in flag_text("Норм товар, норм, норм.")] == ["low_information"]
    assert flag_text(TEXT) == []
    # Customers name promo codes, messengers and hotlines in real complaints: that alone is not advertising.
    assert flag_text("Промокод не сработал при оплате, поддержка не ответила") == []
    assert flag_text("The promo code failed at checkout and support never replied") == []
    assert flag_text("Звонила на горячую линию 8 800 555-35-35, никто не взял трубку") == []
    assert "advertising" in [f for f, _ in flag_text("Промокод на скидку тут: https://deals.example.com/x")]


def _insert(con: duckdb.DuckDBPyConnection, rid: str, text: str, author: str, seen: datetime) -> None:
    con.execute(
        "insert into reviews (review_id, platform, external_id, text, author_hash, first_seen_at, last_seen_at, "
        "content_hash) values (?, 'test', ?, ?, ?, ?, ?, ?)",
        [rid, rid, text, author, seen, seen, rid],
    )


def test_enrich_duplicates_fills_tables_and_is_idempotent(warehouse: duckdb.DuckDBPyConnection) -> None:
    t0 = datetime(2026, 11, 1)
    _insert(warehouse, "r2", TEXT, "anon:b", t0 + timedelta(days=1))
    _insert(warehouse, "r1", TEXT, "anon:a", t0)
    _insert(warehouse, "r3", "Хороший магазин, но доставка опоздала на два дня и никто не позвонил", "anon:a", t0)
    _insert(warehouse, "r4", "Хороший магазин, но доставка опоздала на два дня и никто не позвонил", "anon:a", t0)
    _insert(warehouse, "r5", "ok", "anon:c", t0)
    first = enrich_duplicates(warehouse)
    second = enrich_duplicates(warehouse)
    assert first == second
    assert first["n_clusters"] == 2 and first["n_duplicates"] == 2 and first["n_too_short"] == 1
    rows = warehouse.execute("select review_id, cluster_id, is_canonical from duplicate_clusters order by 1").fetchall()
    assert rows[:2] == [("r1", "r1", True), ("r2", "r1", False)]
    flags = warehouse.execute("select review_id, flag from review_flags order by 1, 2").fetchall()
    assert ("r3", "repeated") in flags and ("r4", "repeated") in flags and ("r5", "too_short") in flags
    assert ("r1", "repeated") not in flags  # the same text by two different authors is syndication, not spam


def test_lemmas_only_where_low_information_is_possible() -> None:
    from nlp.dedup import lemmas_where_needed

    texts = ["Норм товар, норм, норм.", TEXT, "Delivery delivered, deliveries delivering."]
    lemmas = lemmas_where_needed(texts, ["ru", "ru", "en"])
    assert lemmas[0] == ["норма", "товар", "норма", "норма"] and lemmas[1] is None and lemmas[2]
    # a long text keeps its verdict without lemmas: more distinct words than the flag allows
    assert flag_text(TEXT, lemmas[1]) == flag_text(TEXT) == []
    assert [f for f, _ in flag_text(texts[0], lemmas[0])] == ["low_information"]


def test_rerun_with_nothing_new_reuses_the_stored_result(
    warehouse: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nlp import dedup

    t0 = datetime(2026, 11, 1)
    _insert(warehouse, "r1", TEXT, "anon:a", t0)
    _insert(warehouse, "r2", TEXT, "anon:b", t0 + timedelta(days=1))
    first = enrich_duplicates(warehouse)
    calls: list[int] = []
    real = dedup.find_duplicates

    def counting(reviews: list[tuple[str, str]], **kw: Any) -> list[dedup.DuplicateLink]:
        calls.append(len(reviews))
        return real(reviews, **kw)

    monkeypatch.setattr(dedup, "find_duplicates", counting)
    assert enrich_duplicates(warehouse) == first and calls == []  # nothing new: not recomputed, same summary
    _insert(warehouse, "r3", TEXT, "anon:c", t0 + timedelta(days=2))
    third = enrich_duplicates(warehouse)
    assert calls == [3] and third["n_duplicates"] == 2
    warehouse.execute(
        "update reviews set text = 'Совсем другой текст про курьера', content_hash = 'x' where review_id = 'r3'"
    )
    assert enrich_duplicates(warehouse)["n_duplicates"] == 1 and calls == [3, 3]
