"""Every connector crawls through its ``options.base_url`` override against the loopback server (the way tests and
the offline demo run), paginating the platform's own way; fixtures follow each platform's documented format."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from crawl_mockserver import Canned, MockServer
from crawl_support import FAST_SETTINGS, FIXTURES, make_config, shared_page

from crawlers.runner import crawl_all, crawl_source

JSON = {"Content-Type": "application/json; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def test_every_connector_honours_base_url(mockserver: MockServer, tmp_path: Path) -> None:
    feed = "/as/ru/rss/customerreviews/page={}/id=123/sortby=mostrecent/json"
    for page, name in ((1, "us_page1"), (2, "us_page2"), (3, "us_page3")):
        mockserver.add(feed.format(page), Canned(fixture(f"appstore/{name}.json"), headers=JSON))
    mockserver.add(
        "/gp/_/PlayStoreUi/data/batchexecute",
        Canned(fixture("googleplay/page1.txt"), headers=JSON),
        Canned(fixture("googleplay/page2.txt"), headers=JSON),
    )
    mockserver.add("/tp/review/acme.example", Canned(fixture("trustpilot/acme_page1.html"), headers=HTML))
    mockserver.add("/tp/review/acme.example?page=2", Canned(fixture("trustpilot/acme_page2.html"), headers=HTML))
    mockserver.add("/rd/r/acme/comments/abc/x/.json", Canned(fixture("reddit/thread.json"), headers=JSON))
    mockserver.add("/rd/api/morechildren.json", Canned(fixture("reddit/morechildren.json"), headers=JSON))
    mockserver.add(
        "/hn/api/v1/search_by_date",
        Canned(fixture("hackernews/page0.json"), headers=JSON),
        Canned(fixture("hackernews/page1.json"), headers=JSON),
    )
    mockserver.add("/tg/s/acme_bank_clients", Canned(fixture("telegram/acme_bank_clients.html"), headers=HTML))
    mockserver.add(
        "/tg/s/acme_bank_clients?before=1201",
        Canned(fixture("telegram/acme_bank_clients_before_1201.html"), headers=HTML),
    )
    mockserver.add("/ym/maps/org/akme/1/reviews/", Canned(fixture("yandex_maps/org_reviews.html"), headers=HTML))
    mockserver.add("/content/akme-bank", Canned(fixture("irecommend/product_list.html"), headers=HTML))
    mockserver.add("/content/akme-bank?page=1", Canned(b"<html><body><ul class='list-comments'></ul></body></html>"))

    root = mockserver.root
    selectors = str(Path(__file__).resolve().parents[2] / "configs" / "selectors" / "irecommend.yaml")
    sources = [
        {
            "id": "as",
            "platform": "appstore",
            "platform_id": "123",
            "options": {"country": "ru", "base_url": root + "/as"},
        },
        {"id": "gp", "platform": "googleplay", "platform_id": "com.acme", "options": {"base_url": root + "/gp"}},
        {
            "id": "tp",
            "platform": "trustpilot",
            "url": "https://www.trustpilot.com/review/acme.example",
            "options": {"base_url": root + "/tp"},
        },
        {
            "id": "rd",
            "platform": "reddit",
            "url": "https://www.reddit.com/r/acme/comments/abc/x/.json",
            "options": {"base_url": root + "/rd"},
        },
        {"id": "hn", "platform": "hackernews", "platform_id": "Acme Bank", "options": {"base_url": root + "/hn"}},
        {"id": "tg", "platform": "telegram", "platform_id": "acme_bank_clients", "options": {"base_url": root + "/tg"}},
        {
            "id": "ym",
            "platform": "yandex_maps",
            "url": "https://yandex.ru/maps/org/akme/1/reviews/",
            "options": {"base_url": root + "/ym"},
        },
        {
            "id": "ir",
            "platform": "selectors",
            "url": "https://irecommend.ru/content/akme-bank",
            "options": {"base_url": root, "selectors": selectors},
        },
    ]
    config = make_config(tmp_path, sources)
    summaries = {s.source_id: s for s in crawl_all(config, settings=FAST_SETTINGS, parallel=2)}

    counts = {sid: (s.status, s.n_new) for sid, s in summaries.items()}
    assert counts == {
        "as": ("success", 3),  # pages 1, 2 and the empty page 3 that ends the feed
        "gp": ("success", 3),  # two RPC pages joined by the continuation token
        "tp": ("success", 3),
        "rd": ("success", 4),  # post + comment + two "more" children (a [deleted] one is skipped)
        "hn": ("success", 3),
        "tg": ("success", 3),  # two pages, backwards; a photo-only message has no text
        "ym": ("success", 2),
        "ir": ("success", 2),  # page 2 is an empty list: the end
    }, {sid: s.errors for sid, s in summaries.items() if s.errors}
    assert len(mockserver.bodies) == 2 and "CpEBCo4BKmsKQfVbh2Mdl8Y3AAA" in unquote(mockserver.bodies[1].decode())
    assert mockserver.hits["/rd/api/morechildren.json"] == 1


def test_lendingtree_page2_repeating_page1_loads_10_unique(mockserver: MockServer, tmp_path: Path) -> None:
    """The shared LendingTree capture: page 2 repeats page 1, so the crawl keeps 10 reviews, not 20."""
    page1 = shared_page("lendingtree/reliance_page1.html").read_bytes()
    page2 = shared_page("lendingtree/reliance_page2.html").read_bytes()
    path = "/reviews/mortgage/reliance-first-capital-llc/45102840"
    mockserver.add(path, Canned(page1, headers=HTML))
    # page 1's "Next" is an absolute lendingtree.com link; the spider rebases it onto the loopback server
    mockserver.add(path + "?sort=cmV2aWV3c3VibWl0dGVkX2Rlc2M%3D&pid=3", Canned(page2, headers=HTML))
    mockserver.add(path + "?sort=cmV2aWV3c3VibWl0dGVkX2Rlc2M=&pid=3", Canned(page2, headers=HTML))
    selectors = str(Path(__file__).resolve().parents[2] / "configs" / "selectors" / "lendingtree.yaml")
    config = make_config(
        tmp_path,
        [
            {
                "id": "lt",
                "platform": "selectors",
                "url": "https://www.lendingtree.com" + path,
                "options": {"base_url": mockserver.root, "selectors": selectors},
            }
        ],
    )
    summary = crawl_source(config, "lt", settings=FAST_SETTINGS)
    assert (summary.status, summary.n_pages, summary.n_items, summary.n_new) == ("success", 2, 10, 10)
