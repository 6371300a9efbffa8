"""The demo corpus: deterministic, big and varied enough, planted trends present, every page parsable by the real
parsers (no spider needed), dates shifted by whole weeks."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, datetime

from crawlers.parsers import parse_page
from crawlers.parsers.appstore import feed_url, next_page_appstore
from crawlers.parsers.selectors import load_selector_config, next_page_selectors
from crawlers.parsers.structured import next_page_structured
from crawlers.parsers.trustpilot import next_page_trustpilot
from molva.demo.generate import generate, load_corpus
from molva.demo.pages import DemoSite
from molva.demo.server import DemoServer, auto_shift_days

FORUM = "molva/demo/demo_forum.yaml"


def test_generator_is_deterministic_and_matches_the_bundled_file() -> None:
    assert generate() == generate()
    assert generate() == load_corpus(), "molva/demo/corpus/corpus.json.gz is stale: run python -m molva.demo.generate"


def test_corpus_shape() -> None:
    corpus = load_corpus()
    reviews = [r for s in corpus["sources"] for r in s["reviews"]]
    assert len(reviews) >= 300
    assert {r["lang"] for r in reviews} == {"ru", "en"}
    weeks = {datetime.fromisoformat(r["published_at"].rstrip("Z")).isocalendar()[:2] for r in reviews}
    assert len(weeks) >= 8
    assert {s["brand"] for s in corpus["sources"]} == {"lastochka", "strela", "volna"}
    assert {s["platform"] for s in corpus["sources"]} >= {"trustpilot", "appstore", "structured", "selectors", "reddit"}
    assert len({r["text"] for r in reviews}) > 0.8 * len(reviews), "texts should rarely repeat"


def test_planted_late_delivery_complaints_rise() -> None:
    corpus = load_corpus()
    own = [r for s in corpus["sources"] if s["brand"] == "lastochka" for r in s["reviews"] if "topics" in r]
    by_week: dict[int, list[bool]] = {}
    start = date.fromisoformat(corpus["start"])
    for r in own:
        week = (datetime.fromisoformat(r["published_at"].rstrip("Z")).date() - start).days // 7
        by_week.setdefault(week, []).append("delivery:complaint" in r["topics"])
    share = {w: sum(v) / len(v) for w, v in by_week.items()}
    early = sum(share[w] for w in range(6)) / 6
    assert share[9] > 2.5 * early and share[9] > share[7]
    assert any("substitutions:complaint" in r["topics"] for r in own)


def test_auto_shift_moves_whole_weeks_onto_last_complete_week() -> None:
    corpus = load_corpus()
    assert auto_shift_days(corpus, date(2026, 11, 30)) == 0  # corpus ends Sunday 2026-11-29
    shift = auto_shift_days(corpus, date(2027, 3, 4))
    assert shift % 7 == 0 and shift > 0
    site = DemoSite(corpus, shift)
    page = json.loads(site.get("/appstore/ru/rss/customerreviews/page=1/id=1600000001/sortby=mostrecent/json").body)
    newest = page["feed"]["entry"][0]["updated"]["label"][:10]
    assert date.fromisoformat(newest) < date(2027, 3, 1)


def _crawl(platform: str, url: str, next_url, **kwargs) -> list:  # type: ignore[no-untyped-def]
    out = []
    while url:
        body = urllib.request.urlopen(url, timeout=10).read()
        out += parse_page(platform, body, url, **kwargs)
        url = next_url(body, url)
    return out


def test_every_platform_page_parses_with_the_real_parsers() -> None:
    corpus = load_corpus()
    counts = {s["id"]: len(s["reviews"]) for s in corpus["sources"]}
    forum = load_selector_config(FORUM)
    with DemoServer(port=0, shift=0) as server:
        base = server.base_url
        assert urllib.request.urlopen(f"{base}/robots.txt").read().startswith(b"User-agent: *")
        tp = _crawl("trustpilot", f"{base}/trustpilot/review/lastochka.app", next_page_trustpilot)
        assert len({r.external_id for r in tp}) == counts["lastochka-trustpilot"]
        assert any(r.reply_text for r in tp) and {r.language for r in tp} == {"ru", "en"}
        app = _crawl("appstore", feed_url("1600000001", "ru", 1, f"{base}/appstore"), next_page_appstore)
        assert len(app) == counts["lastochka-appstore"] and all(1 <= (r.rating or 0) <= 5 for r in app)
        site = _crawl("structured", f"{base}/otzyvy/volna/", next_page_structured)
        assert len(site) == counts["volna-otzyvy"] and all(r.rating_scale == 5 for r in site)
        posts = _crawl(
            "selectors", f"{base}/forum/strela/", lambda b, u: next_page_selectors(b, u, forum), selectors=FORUM
        )
        assert len(posts) == counts["strela-forum"] and all(r.published_at for r in posts)
        listing = urllib.request.urlopen(f"{base}/reddit/r/moscowfood/search.json?q=volna&sort=new").read()
        mentions = parse_page("reddit", listing, base)
        assert len(mentions) == counts["volna-reddit"] and all(m.kind == "mention" for m in mentions)
