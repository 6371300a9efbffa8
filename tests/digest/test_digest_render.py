"""The digest rendered from a fixture warehouse: sections in order, both languages, safety, traceability, PDF."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from digest_fixture import HTML_REVIEW, LONG_SENTENCE, FixtureInfo

from molva.digest.quotes import QUOTE_MAX
from molva.digest.render import DigestError, DigestResult, last_complete_week, parse_iso_week, render_digest
from warehouse import db as warehouse_db

SECTIONS = [
    "headline",
    "trends",
    "rising",
    "praise",
    "competitors",
    "emerging",
    "alerts",
    "recommendations",
    "appendix",
]


def test_default_week_and_brand(rendered: dict[str, DigestResult]) -> None:
    for lang, result in rendered.items():
        assert (result.brand_id, result.week, result.lang) == ("lastochka", "2026-W47", lang)
        assert result.paths["html"].name == f"digest-lastochka-2026-W47-{lang}.html"
        assert set(result.paths) == {"html", "md", "pdf"} and all(p.stat().st_size > 0 for p in result.paths.values())
    assert rendered["ru"].brand_name == "Ласточка" and rendered["en"].brand_name == "Lastochka"


def test_last_complete_week() -> None:
    assert last_complete_week(date(2026, 11, 22)) == date(2026, 11, 16)  # a Sunday: its own week is complete
    assert last_complete_week(date(2026, 11, 25)) == date(2026, 11, 16)  # a Wednesday: the week before
    assert last_complete_week(date(2026, 11, 23)) == date(2026, 11, 16)  # Monday morning
    assert parse_iso_week("2026-W47") == date(2026, 11, 16)
    with pytest.raises(DigestError, match="ISO week"):
        parse_iso_week("2026-47")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_section_present_in_order(rendered: dict[str, DigestResult], lang: str) -> None:
    html = rendered[lang].html
    positions = [html.find(f'<section id="{s}">') for s in SECTIONS]
    assert all(p > 0 for p in positions), dict(zip(SECTIONS, positions, strict=True))
    assert positions == sorted(positions)
    md = rendered[lang].paths["md"].read_text(encoding="utf-8")
    assert md.count("\n## ") == 8  # headline … recommendations (the appendix is HTML/PDF only)


def test_language_specific_formatting(rendered: dict[str, DigestResult]) -> None:
    ru, en = rendered["ru"].html, rendered["en"].html
    assert "16–22 ноября 2026" in ru and "16–22 November 2026" in en
    assert "Ключевые показатели" in ru and "Headline figures" in en
    assert "Рекомендации" in ru and "Recommendations" in en
    # decimal comma in Russian, point in English, on the same figure (the own brand's average rating)
    rating_ru = re.search(r'own-col"><span class="big">(\d,\d\d)</span>', ru)
    rating_en = re.search(r'own-col"><span class="big">(\d\.\d\d)</span>', en)
    assert rating_ru and rating_en and rating_ru.group(1).replace(",", ".") == rating_en.group(1)
    assert "\u00a0%" in ru and re.search(r"\d%", en)


def test_review_html_stays_text(rendered: dict[str, DigestResult]) -> None:
    for result in rendered.values():
        html = result.html
        assert "<script" not in html  # the digest carries no script at all, and the review's tag is escaped
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;Courier&lt;/b&gt;" in html
        assert "lost my order &amp; nobody called back" in html
        md = result.paths["md"].read_text(encoding="utf-8")
        assert "&lt;script&gt;" in md and "<script" not in md
        assert HTML_REVIEW in result.text  # the plain-text alternative shows it verbatim, as text


def test_long_quotes_trimmed_and_authors_hidden(rendered: dict[str, DigestResult]) -> None:
    html = rendered["en"].html
    assert LONG_SENTENCE not in html
    trimmed = re.findall(r"<q>(The delivery was late again[^<]*)</q>", html)
    assert trimmed and all(len(q) <= QUOTE_MAX and q.endswith("…") for q in trimmed)
    for result in rendered.values():
        for text in (result.html, result.text, result.paths["md"].read_text(encoding="utf-8")):
            assert "anon:" not in text


def test_quotes_link_to_reviews(rendered: dict[str, DigestResult]) -> None:
    html = rendered["en"].html
    # the hostile URL is kept as a link only percent-encoded: it cannot close the attribute or open a tag
    assert (
        '<a href="https://evil.example/x%3E%29%3Cimg%20src=x%20onerror=alert%286%29%3E">review lastochka-html</a>'
        in html
    )
    assert "review lastochka-long" in html  # no URL stored: the review id is still named
    rising = html[html.find('<section id="rising">') : html.find('<section id="praise">')]
    assert rising.count("<q>") >= 2


def test_charts_inline_and_self_contained(rendered: dict[str, DigestResult]) -> None:
    html = rendered["ru"].html
    assert html.count("<svg") >= 4  # rating, sentiment, volume, competitors (+ sparklines)
    for external in ("<img", "<link", "<script"):
        assert external not in html
    assert not re.search(r"<[^>]+\ssrc=", html)


def test_sections_have_content(rendered: dict[str, DigestResult]) -> None:
    result = rendered["en"]
    c = result.counts
    assert c["n_rising"] >= 2 and c["n_alerts"] >= 2 and c["n_recommendations"] >= 3 and c["n_emerging"] == 1
    html = result.html
    assert "Parking at pick-up points" in html  # the emerging topic
    assert "Crawl failed: strela-appstore" in html  # the failed crawl is an alert and shows in coverage
    assert "Team: Delivery and logistics" in html  # delivery complaints are routed to the delivery team
    assert "Strela Market" in html and "Volna" in html


def test_queries_shipped_and_reproducible(rendered: dict[str, DigestResult], fixture_db: FixtureInfo) -> None:
    result = rendered["en"]
    named = set(re.findall(r'href="digest-lastochka-2026-W47-en-sql/([a-z_]+)\.sql"', result.html))
    assert {"headline", "trend", "rising_complaints", "competitors", "recommendations", "coverage"} <= named
    con = warehouse_db.connect(fixture_db.path, read_only=True)
    try:
        for name in named:
            path = result.queries_dir / f"{name}.sql"
            assert path.exists(), path
            text = path.read_text(encoding="utf-8")
            expected = int(re.search(r"returned (\d+) row", text).group(1))  # type: ignore[union-attr]
            assert len(con.execute(text).fetchall()) == expected, name
    finally:
        con.close()


def test_pdf_has_pages_and_brand(rendered: dict[str, DigestResult]) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is needed to read the PDF back (pip install pypdf)")
    for lang, brand in (("en", "Lastochka"), ("ru", "Ласточка")):
        reader = pypdf.PdfReader(str(rendered[lang].paths["pdf"]))
        assert len(reader.pages) >= 3
        first = reader.pages[0].extract_text()
        assert brand in first


def test_errors_are_clear(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    with pytest.raises(DigestError, match=r"no data for brand 'lastochka' in 2025-W47 \(weeks with data: 2026-W38"):
        render_digest(fixture_db.path, week="2025-W47", out_dir=tmp_path)
    with pytest.raises(DigestError, match="brand 'nobody' has no data"):
        render_digest(fixture_db.path, brand_id="nobody", out_dir=tmp_path)
    with pytest.raises(DigestError, match="format"):
        render_digest(fixture_db.path, formats=("docx",), out_dir=tmp_path)
    with pytest.raises(DigestError, match="no warehouse here"):
        render_digest(tmp_path / "missing.duckdb", out_dir=tmp_path)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()  # plain: an empty DuckDB file, not a warehouse
    with pytest.raises(DigestError, match="molva marts build"):
        render_digest(empty, out_dir=tmp_path)


def test_competitor_brand_and_earlier_week(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    result = render_digest(
        fixture_db.path, brand_id="strela", week="2026-W45", lang="en", formats=("md",), out_dir=tmp_path
    )
    assert (result.brand_name, result.week) == ("Strela Market", "2026-W45")
    assert (
        result.paths["md"].read_text(encoding="utf-8").startswith("# Strela Market: weekly reputation digest 2026-W45")
    )


def test_without_sentiment_charts_say_no_data(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    """A warehouse whose sentiment step has not run yet still renders: no empty chart, no invented interval."""
    import shutil

    from warehouse.marts import build_marts

    copy = tmp_path / "no-sentiment.duckdb"
    shutil.copy(fixture_db.path, copy)
    con = warehouse_db.connect(copy)
    con.execute("delete from review_sentiment")
    build_marts(con, sentiment_model="molva")
    con.close()
    html = render_digest(copy, lang="en", out_dir=tmp_path / "out").html
    trends = html[html.find('<section id="trends">') : html.find('<section id="rising">')]
    assert "No data to chart for these weeks." in trends and trends.count("<svg") == 2  # rating and volume remain
    row = re.search(r"<td>Net sentiment \(−100…100\)</td>(.*?)</tr>", html, flags=re.S)
    assert row and "too few data" in row.group(1) and "…" not in row.group(1).split("</td>")[0]


def test_survey_check_shown_when_surveys_exist(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    import shutil

    assert "Surveys for comparison" not in render_digest(fixture_db.path, lang="en", out_dir=tmp_path / "a").html
    copy = tmp_path / "with-surveys.duckdb"
    shutil.copy(fixture_db.path, copy)
    con = warehouse_db.connect(copy)
    con.execute(
        "insert into mart_survey_vs_reviews (brand_id, period_grain, period_start, n_survey_nps, survey_nps,"
        " n_survey_csat, survey_csat, n_review_rated, review_nps_proxy, review_csat, nps_gap, csat_gap) values"
        " ('lastochka', 'month', date '2026-11-01', 120, 0.12, 118, 0.81, 90, -0.41, 0.37, 0.53, 0.44),"
        " ('lastochka', 'quarter', date '2026-07-01', 300, 0.2, 290, 0.8, 200, 0.1, 0.6, 0.1, 0.2)"  # another quarter
    )
    con.close()
    result = render_digest(copy, lang="en", out_dir=tmp_path / "b")
    table = result.html[result.html.find("Surveys for comparison") : result.html.find('<section id="trends">')]
    assert "month November 2026" in table and "+12 (n=120)" in table and "−41 (n=90)" in table and "81%" in table
    assert "quarter" not in table.split("</tr>", 1)[1]  # only periods containing the digest's week
    assert (result.queries_dir / "survey_check.sql").exists()


def test_recommendation_cites_the_survey_driver_share(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "with-drivers.duckdb"
    shutil.copy(fixture_db.path, copy)
    con = warehouse_db.connect(copy)
    top = con.execute(
        "select topic_id, week_start from mart_impact where brand_id = 'lastochka' and n_complaints_4w > 0"
        " order by week_start desc, impact_rank limit 1"
    ).fetchone()
    assert top is not None
    con.execute(
        "update mart_impact set survey_nps_driver_share = 0.37, survey_fix_rank = 1 where topic_id = ?", [top[0]]
    )
    con.close()
    html = render_digest(copy, lang="en", out_dir=tmp_path / "en").html
    recs = html[html.find('<section id="recommendations">') :]
    assert "in surveys this topic explains 37% of the variation in NPS" in recs
    ru = render_digest(copy, lang="ru", out_dir=tmp_path / "ru").html
    assert "в опросах эта тема объясняет 37\u00a0% различий в NPS" in ru  # non-breaking space before %
