"""The digest's evidence and priorities on the fixture warehouse: quotes match their section's topic as the sentence's
main topic, a review is quoted once, recommendations carry lift, team and next step and are followed up next week,
emerging topics need support and a label in the digest's language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from digest_fixture import FixtureInfo

from molva.digest.followup import record_recommendations, verdict
from molva.digest.render import _build, parse_iso_week
from molva.digest.sections import Scope
from molva.digest.signals import MIN_EMERGING_MENTIONS, MIN_EMERGING_REVIEWS, emerging_label
from warehouse.db import connect


def _context(path: Path, lang: str, week: str | None = None) -> dict[str, Any]:
    con = connect(path, read_only=True)
    try:
        return _build(con, brand_id=None, week=week, lang=lang, config=None)[0]
    finally:
        con.close()


def _quoted(context: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(section topic id, quote) for every quote of the digest."""
    sections = [*context["topics"]["rising"], *context["topics"]["praise"], *context["emerging"]["items"],
                *context["recommendations"]["items"]]  # fmt: skip
    return [(item["topic_id"], q) for item in sections for q in item["quotes"]]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_quote_has_its_sections_topic_as_main_topic_and_no_review_twice(
    fixture_db: FixtureInfo, lang: str
) -> None:
    context = _context(fixture_db.path, lang)
    quoted = _quoted(context)
    assert len(quoted) >= 5
    con = connect(fixture_db.path, read_only=True)
    try:
        main = dict(
            ((r, i), t)
            for r, i, t in con.execute(
                "select review_id, sentence_index, topic_id from stg_sentence_topics where is_main"
            ).fetchall()
        )
    finally:
        con.close()
    for topic_id, quote in quoted:
        assert main[(quote["review_id"], quote["sentence_index"])] == topic_id, quote
    reviews = [q["review_id"] for _, q in quoted]
    assert len(reviews) == len(set(reviews))


def test_recommendations_rank_by_lift_with_interval_team_and_next_step(fixture_db: FixtureInfo) -> None:
    context = _context(fixture_db.path, "en")
    items = context["recommendations"]["items"]
    assert items and items[0]["topic_id"] == "delivery"  # the planted rising complaint
    lifts = [i["raw"]["priority_lift"] for i in items]
    assert lifts == sorted(lifts, reverse=True) and all(v > 0 for v in lifts)
    first = items[0]
    raw = first["raw"]
    assert raw["priority_lift_ci_low"] <= raw["priority_lift"] <= raw["priority_lift_ci_high"]
    assert re.search(r"\+\d\.\d\d★ \(\S+ … \S+\)", first["estimate"])  # the lift with its interval
    assert "the 4 weeks before" in first["estimate"]
    assert first["team"] == "Delivery and logistics" and first["next_step"].startswith("Break late deliveries")
    assert first["quotes"]


def test_last_weeks_recommendations_are_followed_up(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    path = tmp_path / "followup.duckdb"
    shutil.copy(fixture_db.path, path)
    before = _context(path, "en", week="2026-W46")
    assert before["recommendations"]["followup"] == []  # nothing was recorded yet
    con = connect(path)
    try:
        n = record_recommendations(con, "lastochka", parse_iso_week("2026-W46"), "2026-W46",
                                   before["recommendations"]["items"])  # fmt: skip
        assert n == len(before["recommendations"]["items"]) > 0
        again = record_recommendations(con, "lastochka", parse_iso_week("2026-W46"), "2026-W46",
                                       before["recommendations"]["items"])  # fmt: skip
        assert again == n and con.execute("select count(*) from digest_recommendations").fetchone() == (n,)
    finally:
        con.close()
    followup = _context(path, "en", week="2026-W47")["recommendations"]["followup"]
    assert [u["topic_id"] for u in followup] == [i["topic_id"] for i in before["recommendations"]["items"]]
    assert {u["verdict_key"] for u in followup} <= {"better", "same", "worse"}
    assert "2026-W46" in followup[0]["detail"]
    ru = _context(path, "ru", week="2026-W47")["recommendations"]["followup"]
    assert ru[0]["verdict"] in ("лучше", "без изменений", "хуже")


def test_followup_verdict_is_a_two_proportion_test() -> None:
    assert verdict(20, 100, 5, 100) == "better"
    assert verdict(5, 100, 20, 100) == "worse"
    assert verdict(10, 100, 12, 100) == "same"
    assert verdict(5, 8, 0, 100) == "same"  # too few reviews to judge


def _scope(lang: str) -> Scope:
    return Scope("lastochka", "Lastochka", True, "lastochka", parse_iso_week("2026-W47"), "2026-W47", lang, {})


def test_emerging_labels_are_in_the_digests_language() -> None:
    russian = {"topic_id": "emerging-0004", "topic_kind": "emerging", "topic_label_en": "выбросить, испортить, курица",
               "topic_label_ru": "выбросить, испортить, курица"}  # fmt: skip
    assert emerging_label(_scope("en"), russian) == "New topic #4"
    assert emerging_label(_scope("ru"), russian) == "выбросить, испортить, курица"
    renamed = {"topic_id": "emerging-0001", "topic_kind": "emerging", "topic_label_en": "Parking",
               "topic_label_ru": "Парковка"}  # fmt: skip
    assert emerging_label(_scope("en"), renamed) == "Parking" and emerging_label(_scope("ru"), renamed) == "Парковка"
    english = {"topic_id": "emerging-0003", "topic_kind": "emerging", "topic_label_en": "fresh, local",
               "topic_label_ru": "fresh, local"}  # fmt: skip
    assert emerging_label(_scope("ru"), english) == "Новая тема №3"


def test_emerging_topics_need_support_and_carry_a_quote(fixture_db: FixtureInfo) -> None:
    for lang in ("en", "ru"):
        items = _context(fixture_db.path, lang)["emerging"]["items"]
        con = connect(fixture_db.path, read_only=True)
        try:
            support = dict(
                (t, (s, r))
                for t, s, r in con.execute(
                    "select topic_id, sum(n_sentence_mentions), sum(n_mentions) from mart_topics_weekly"
                    " where brand_id = 'lastochka' and week_start > date '2026-11-16' - 28"
                    " and week_start <= date '2026-11-16' group by topic_id"
                ).fetchall()
            )
        finally:
            con.close()
        for item in items:
            sentences, reviews = support[item["topic_id"]]
            assert sentences >= MIN_EMERGING_MENTIONS and reviews >= MIN_EMERGING_REVIEWS
            if lang == "en":
                assert not re.search(r"[\u0400-\u04ff]", item["label"])
        assert any(i["topic_id"] == "emerging-0001" and i["quotes"] for i in items)
