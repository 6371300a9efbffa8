"""Number and date formats per language, quote trimming and escaping, chart SVG, owning teams."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from molva.digest import charts
from molva.digest.fmt import Formatter
from molva.digest.i18n import STRINGS, Translator
from molva.digest.quotes import markdown_escape, pick_quotes, trim
from molva.digest.teams import owning_team


def test_numbers_and_dates_per_language() -> None:
    ru, en = Formatter("ru"), Formatter("en")
    assert ru.number(1234.5, 1) == "1\u00a0234,5" and en.number(1234.5, 1) == "1,234.5"
    assert ru.date(date(2026, 11, 30)) == "30 ноября 2026" and en.date(datetime(2026, 11, 30, 9)) == "30 November 2026"
    assert ru.percent(0.723) == "72\u00a0%" and en.percent(0.723) == "72%"
    assert ru.signed(-0.354, 2) == "−0,35" and en.signed(12) == "+12" and en.signed(0.001, 2) == "±0.00"
    assert ru.points(0.031) == "+3\u00a0п.п." and en.points(-0.031) == "−3\u00a0pp"
    assert en.score100(-0.55) == "−55" and en.number(None) == "–"
    assert ru.date_range(date(2026, 11, 30), date(2026, 12, 6)) == "30 ноября – 6 декабря 2026"
    with pytest.raises(ValueError, match="unsupported"):
        Formatter("de")


def test_every_string_has_both_languages() -> None:
    for key, (ru, en) in STRINGS.items():
        assert ru and en, key
    en, ru = Translator("en"), Translator("ru")
    assert en("trends_note", weeks=en.weeks(10)) == "The last 10\u00a0weeks, by platform."
    assert [ru.weeks(n).replace("\u00a0", " ") for n in (1, 3, 5, 11, 21, 22)] == [
        "1 неделю", "3 недели", "5 недель", "11 недель", "21 неделю", "22 недели",
    ]  # fmt: skip
    # plural categories come from CLDR (Babel): "1 упоминание", "1 mention", never "1 упоминания" / "1 mentions"
    assert [ru.count(n, "mention").replace("\u00a0", " ") for n in (1, 2, 5, 21, 111, 1500)] == [
        "1 упоминание", "2 упоминания", "5 упоминаний", "21 упоминание", "111 упоминаний", "1 500 упоминаний",
    ]  # fmt: skip
    assert [en.count(n, "mention").replace("\u00a0", " ") for n in (1, 2, 1500)] == [
        "1 mention", "2 mentions", "1,500 mentions",
    ]  # fmt: skip
    # the lift is a hedged estimate in both languages, not a promise
    assert "выросла бы" in ru("rec_lift", lift="+0,42") and "would rise" in en("rec_lift", lift="+0.42")
    assert ru.platform("yandex_maps") == "Яндекс Карты" and en.platform("newsite") == "newsite"
    with pytest.raises(KeyError, match="missing"):
        Translator("ru")("no-such-key")


def test_trim_and_markdown_escape() -> None:
    assert trim("short  text\n here") == "short text here"
    long = "word " * 100
    cut = trim(long, 50)
    assert len(cut) <= 50 and cut.endswith("…") and not cut.endswith(" …")
    assert markdown_escape("<b>*x*</b> [a](b)") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\[a\\](b)"


def test_charts_escape_text_and_scale() -> None:
    series = [charts.Series("<all>", [1.0, None, 3.0], "#000", bold=True), charts.Series("b", [2.0, 2.5, 2.0], "#f00")]
    svg = charts.line_chart(["w1", "w2", "w3"], series, title="A & B", y_format=str, y_clamp=(1, 5))
    assert svg.startswith("<svg") and 'viewBox="0 0 520' in svg and 'width="100%"' in svg
    assert "&lt;all&gt;" in svg and "A &amp; B" in svg and "<all>" not in svg
    assert svg.count("<polyline") == 1  # the gap leaves the first series as two lone dots, not a line across it
    bars = charts.stacked_bars(["a", "b"], [charts.Series("x", [3.0, 4.0], "#00f")], title="v", y_format=str)
    assert bars.count("<rect") >= 3
    assert charts.nice_ticks(0, 37) == [0, 10, 20, 30, 40]
    assert charts.text_sparkline([0, 1, 2, 8]) == "▁▂▃█"


def test_owning_team() -> None:
    assert owning_team("delivery", "delivery") == "delivery"
    assert owning_team("staff_politeness", "use") == "stores"
    assert owning_team("something_new", "support") == "support"
    assert owning_team("emerging-0003", None) == "cx"


def test_pick_quotes_dedupes_and_orders() -> None:
    def row(rid: str, text: str, week: date, rank: int, url: str | None = "https://x.example/r") -> dict[str, object]:
        return {"topic_id": "delivery", "mention_kind": "complaint", "week_start": week, "evidence_rank": rank,
                "review_id": rid, "sentence_text": text, "review_url": url, "platform": "trustpilot",
                "rating_5": 1.0, "published_at": datetime(2026, 11, 17)}  # fmt: skip

    w46, w47 = date(2026, 11, 9), date(2026, 11, 16)
    rows = [
        row("a", "Late again.", w46, 1),
        row("b", "late  AGAIN.", w47, 2),
        row("c", "Cold food.", w47, 1),
        row("c", "Cold food, twice.", w47, 3),
        row("d", "Rude courier.", w47, 3, url="javascript:alert(1)"),
    ]
    quotes = pick_quotes(rows, "delivery", "complaint")
    assert [q["review_id"] for q in quotes] == ["c", "b", "d"]  # newest week first; same text once; a review once
    assert quotes[2]["url"] is None  # only http(s) links are rendered
    # the rows are the digest's ledger: "a" is a near-duplicate of "b" (quoted), so the week-46 pick finds nothing
    assert pick_quotes(rows, "delivery", "complaint", week_start=w46) == []
    fresh = [{k: v for k, v in r.items() if k != "quoted"} for r in rows[:1]]
    assert [q["review_id"] for q in pick_quotes(fresh, "delivery", "complaint", week_start=w46)] == ["a"]


def test_pick_quotes_one_review_once_per_digest_and_near_duplicates_collapsed() -> None:
    def row(rid: str, topic: str, text: str, rank: int = 1) -> dict[str, object]:
        return {"topic_id": topic, "mention_kind": "complaint", "week_start": date(2026, 11, 16),
                "evidence_rank": rank, "review_id": rid, "sentence_text": text, "review_url": None,
                "platform": "trustpilot", "rating_5": 1.0, "published_at": datetime(2026, 11, 17)}  # fmt: skip

    rows = [
        row("r1", "delivery", "The courier was 40 minutes late even though they promised delivery within an hour."),
        row("r2", "delivery", "The courier was 25 minutes late even though they promised delivery within an hour.", 2),
        row("r3", "delivery", "The bags arrived crushed and the eggs did not survive.", 3),
        row("r1", "customer_support", "Support never answered my chat."),
        row("r4", "customer_support", "Support never answered my chat for two days."),
    ]
    delivery = pick_quotes(rows, "delivery", "complaint")
    assert [q["review_id"] for q in delivery] == ["r1", "r3"]  # r2 says what r1 says, numbers aside
    support = pick_quotes(rows, "customer_support", "complaint")
    assert [q["review_id"] for q in support] == ["r4"]  # r1 was quoted under delivery already
