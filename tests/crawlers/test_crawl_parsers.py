"""Parsers on saved pages: the shared real captures (skipped when ../shared is absent) and fixtures written from the
platforms' documented formats. Each case's full output is compared with ``expected/<case>.json``; the asserts below
pin the facts that matter (counts, ratings, dates, pagination). Rewrite the JSON after a deliberate parser change with
``MOLVA_REGEN_EXPECTED=1 pytest tests/crawlers/test_crawl_parsers.py``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from crawl_support import EXPECTED, FIXTURES, REPO, shared_page

from crawlers.parsers import parse_page
from molva.connectors import CONNECTORS

SELECTORS = REPO / "configs" / "selectors"
NOW = datetime(2026, 11, 30, 12, 0)  # anchors relative dates ("вчера") in fixtures

# case: (where the page is: "shared:<path>" or a fixture path, platform, page URL, selector file)
CASES: dict[str, tuple[str, str, str, str | None]] = {
    "structured_trustpilot": (
        "shared:trustpilot/gullwing_motor_2024.html",
        "structured",
        "https://www.trustpilot.com/review/gullwingmotor.com",
        None,
    ),
    "structured_schemaorg": (
        "shared:schemaorg_extruct/creativework_001.html",
        "structured",
        "https://example.org/",
        None,
    ),
    "structured_microdata_rdfa_hreview": (
        "structured/microdata_rdfa_hreview.html",
        "structured",
        "https://reviews.example/acme-bank/reviews",
        None,
    ),
    "trustpilot_gullwing": (
        "shared:trustpilot/gullwing_motor_2024.html",
        "trustpilot",
        "https://www.trustpilot.com/review/gullwingmotor.com",
        None,
    ),
    "selectors_amazon": (
        "shared:amazon_com/product_reviews_2018.html",
        "selectors",
        "https://www.amazon.com/product-reviews/B002QYW8LW/",
        "amazon_com.yaml",
    ),
    "selectors_dealerrater_p1": (
        "shared:dealerrater/page1.html",
        "selectors",
        "https://www.dealerrater.com/dealer/McKaig-Chevrolet-Buick-A-Dealer-For-The-People-dealer-reviews-23685/",
        "dealerrater.yaml",
    ),
    "selectors_dealerrater_p2": (
        "shared:dealerrater/page2.html",
        "selectors",
        "https://www.dealerrater.com/dealer/McKaig-Chevrolet-Buick-A-Dealer-For-The-People-dealer-reviews-23685/page2/",
        "dealerrater.yaml",
    ),
    "selectors_lendingtree_p1": (
        "shared:lendingtree/reliance_page1.html",
        "selectors",
        "https://www.lendingtree.com/reviews/mortgage/reliance-first-capital-llc/45102840",
        "lendingtree.yaml",
    ),
    "selectors_otzovik_home": ("shared:otzovik_ru/home_2025.html", "selectors", "https://otzovik.com/", "otzovik.yaml"),
    "selectors_otzovik_list": (
        "otzovik/product_list.html",
        "selectors",
        "https://otzovik.com/reviews/akme_bank/",
        "otzovik.yaml",
    ),
    "selectors_irecommend": (
        "irecommend/product_list.html",
        "selectors",
        "https://irecommend.ru/content/akme-bank",
        "irecommend.yaml",
    ),
    "reddit_subreddit": (
        "shared:reddit_json/subreddit.json",
        "reddit",
        "https://www.reddit.com/r/netsec/new.json?limit=25",
        None,
    ),
    "reddit_thread": (
        "shared:reddit_json/thread.json",
        "reddit",
        "https://www.reddit.com/r/self/comments/1cebxh/.json",
        None,
    ),
    "reddit_more": ("shared:reddit_json/more.json", "reddit", "https://www.reddit.com/api/morechildren.json", None),
    "appstore_us_page1": (
        "appstore/us_page1.json",
        "appstore",
        "https://itunes.apple.com/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
        None,
    ),
    "googleplay_page1": (
        "googleplay/page1.txt",
        "googleplay",
        "https://play.google.com/_/PlayStoreUi/data/batchexecute?hl=ru&gl=ru",
        None,
    ),
    "hackernews_page0": (
        "hackernews/page0.json",
        "hackernews",
        "https://hn.algolia.com/api/v1/search_by_date?query=Acme+Bank&page=0",
        None,
    ),
    "telegram_channel": ("telegram/acme_bank_clients.html", "telegram", "https://t.me/s/acme_bank_clients", None),
    "yandex_maps_org": (
        "yandex_maps/org_reviews.html",
        "yandex_maps",
        "https://yandex.ru/maps/org/akme_bank/1234567890/reviews/",
        None,
    ),
}


def discovered_cases(fixtures: Path = FIXTURES) -> dict[str, tuple[str, str, str, str | None]]:
    """Cases a new connector brings without editing this file: ``fixtures/<platform>/<page>.<ext>`` beside a
    ``<page>.url`` that holds the page's URL on the platform, compared with ``expected/<platform>_<page>.json``."""
    found: dict[str, tuple[str, str, str, str | None]] = {}
    for url_file in sorted(fixtures.glob("*/*.url")):
        platform = url_file.parent.name
        if platform not in CONNECTORS:
            continue
        pages = sorted(p for p in url_file.parent.glob(f"{url_file.stem}.*") if p.suffix != ".url")
        if pages:
            url = url_file.read_text(encoding="utf-8").strip()
            found[f"{platform}_{url_file.stem}"] = (str(pages[0].relative_to(fixtures)), platform, url, None)
    return found


CASES.update({name: case for name, case in discovered_cases().items() if name not in CASES})


def page_path(where: str) -> Path:
    return shared_page(where.removeprefix("shared:")) if where.startswith("shared:") else FIXTURES / where


def run_case(name: str) -> list[dict]:
    where, platform, url, selectors = CASES[name]
    body = page_path(where).read_bytes()
    reviews = parse_page(platform, body, url, selectors=SELECTORS / selectors if selectors else None, now=NOW)
    return [r.to_dict() for r in reviews]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_expected_json(name: str) -> None:
    rows = run_case(name)
    target = EXPECTED / f"{name}.json"
    if os.environ.get("MOLVA_REGEN_EXPECTED"):
        target.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert rows == json.loads(target.read_text(encoding="utf-8"))


def test_structured_gets_all_20_trustpilot_reviews_with_rating_author_date() -> None:
    rows = run_case("structured_trustpilot")
    assert len(rows) == 20
    assert len({r["external_id"] for r in rows}) == 20
    assert all(r["rating"] in (1, 2, 3, 4, 5) and r["rating_scale"] == 5 for r in rows)
    assert all(r["author"] and r["published_at"] and r["text"] for r in rows)


def test_structured_gets_both_schemaorg_reviews() -> None:
    rows = run_case("structured_schemaorg")
    assert [(r["author"], r["rating"], r["published_at"][:10]) for r in rows] == [
        ("John Doe", 5.0, "2006-05-04"),
        ("Bob Smith", 4.0, "2006-06-15"),
    ]
    assert rows[0]["title"] == "A masterpiece of literature"


def test_structured_reads_microdata_rdfa_and_hreview() -> None:
    rows = run_case("structured_microdata_rdfa_hreview")
    assert [(r["author"], r["rating"], r["rating_scale"]) for r in rows] == [
        ("Dana", 8.0, 10.0),
        ("Lee", 2.0, 5.0),
        ("Chris P.", 4.0, 5.0),
    ]
    assert rows[0]["reply_text"].startswith("Thank you, Dana")


def test_trustpilot_next_data_and_pagination() -> None:
    from crawlers.parsers.trustpilot import company_stats, next_page_trustpilot

    body = shared_page("trustpilot/gullwing_motor_2024.html").read_bytes()
    rows = run_case("trustpilot_gullwing")
    assert len(rows) == 20 and all(r["extra"]["trust_score"] == 4.9 for r in rows)
    assert company_stats(body)["numberOfReviews"] == 1460
    url = "https://www.trustpilot.com/review/gullwingmotor.com"
    assert next_page_trustpilot(body, url) == url + "?page=2"


def test_amazon_selectors() -> None:
    from crawlers.parsers.selectors import load_selector_config, next_page_selectors

    rows = run_case("selectors_amazon")
    assert len(rows) == 10
    assert all(r["external_id"].startswith("R") and 1 <= r["rating"] <= 5 for r in rows)
    assert rows[0]["published_at"].startswith("2015-03-29") and rows[0]["author"] == "Danielle"
    body = shared_page("amazon_com/product_reviews_2018.html").read_bytes()
    nxt = next_page_selectors(body, "https://www.amazon.com/x", load_selector_config(SELECTORS / "amazon_com.yaml"))
    assert nxt and "pageNumber=2" in nxt


def test_lendingtree_page2_repeats_page1() -> None:
    page1 = run_case("selectors_lendingtree_p1")
    body2 = shared_page("lendingtree/reliance_page2.html").read_bytes()
    page2 = [r.to_dict() for r in parse_page("selectors", body2, "https://x", selectors=SELECTORS / "lendingtree.yaml")]
    assert len(page1) == 10 and len(page2) == 10
    assert len({r["external_id"] for r in page1 + page2}) == 10
    assert page1[0]["published_at"].startswith("2019-06-01") and page1[0]["rating"] == 5.0


def test_dealerrater_rating_from_css_class() -> None:
    rows = run_case("selectors_dealerrater_p1") + run_case("selectors_dealerrater_p2")
    assert [r["external_id"] for r in rows] == ["r7679234", "r7691660", "r7666770", "r7661430"]
    assert all(r["rating"] == 5.0 for r in rows)
    assert rows[3]["author"] == "Abigail argueta"


def test_otzovik_teasers_take_dates_from_unix_time() -> None:
    rows = run_case("selectors_otzovik_home")
    assert len(rows) == 15
    assert rows[0]["external_id"] == "17721154" and rows[0]["published_at"] == "2025-09-30T09:02:54+00:00"
    assert all(r["rating"] is None for r in rows)  # the teaser shows the product's score, not the reviewer's
    assert rows[0]["text"].startswith("Достоинства:")


def test_irecommend_relative_russian_dates_and_star_count() -> None:
    rows = run_case("selectors_irecommend")
    assert rows[0]["published_at"].startswith("2026-11-29")  # "вчера" relative to NOW
    assert rows[1]["published_at"].startswith("2024-03-12")  # "12 марта 2024"
    assert [r["rating"] for r in rows] == [3.0, 1.0]


def test_reddit_mentions_keep_score_and_permalink() -> None:
    from crawlers.parsers.reddit import next_requests_reddit

    posts = run_case("reddit_subreddit")
    assert len(posts) == 27 and all(r["kind"] == "mention" and r["rating"] is None for r in posts)
    assert all(r["extra"]["permalink"] and isinstance(r["extra"]["score"], int) for r in posts)
    thread = run_case("reddit_thread")
    assert thread[0]["external_id"] == "t3_1cebxh" and thread[0]["title"]
    assert all(r["external_id"].startswith("t1_") for r in thread[1:])
    body = shared_page("reddit_json/thread.json").read_bytes()
    more = next_requests_reddit(body, "https://www.reddit.com/r/self/comments/1cebxh/.json")
    assert more and all("/api/morechildren.json" in u and "link_id=t3_1cebxh" in u for u in more)
    assert len(run_case("reddit_more")) == 50


def test_api_connectors_fixture_facts() -> None:
    from crawlers.parsers.googleplay import continuation_token

    app = run_case("appstore_us_page1")
    assert [(r["rating"], r["extra"]["version"]) for r in app] == [(2.0, "5.14.0"), (5.0, "5.14.0")]
    play = run_case("googleplay_page1")
    assert play[0]["reply_text"].startswith("Иван") and play[0]["extra"]["thumbs_up"] == 12
    assert continuation_token((FIXTURES / "googleplay/page1.txt").read_bytes()) == "CpEBCo4BKmsKQfVbh2Mdl8Y3AAA"
    assert continuation_token((FIXTURES / "googleplay/page2.txt").read_bytes()) is None
    hn = run_case("hackernews_page0")
    assert [r["extra"]["type"] for r in hn] == ["story", "comment"]
    assert (
        hn[1]["text"] == "I switched to Acme Bank last year.\n\nTheir app is fine, but the support queue is > 1 hour."
    )
    tg = run_case("telegram_channel")
    assert [r["external_id"] for r in tg] == ["acme_bank_clients/1201", "acme_bank_clients/1203"]  # 1202: photo only
    assert tg[0]["extra"]["views"] == 1200 and tg[1]["author"] == "Мария"
    ya = run_case("yandex_maps_org")
    assert ya[0]["rating"] == 2.0 and ya[0]["reply_text"].startswith("Алексей, извините")


def test_broken_input_yields_nothing_rather_than_raising() -> None:
    for platform in ("structured", "trustpilot", "appstore", "googleplay", "reddit", "hackernews", "telegram"):
        for body in (b"", b"   ", b"<html><body><div", b"{not json", b"\xff\xfe\x00garbage"):
            assert parse_page(platform, body, "https://example.org/") == []
