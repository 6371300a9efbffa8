"""The connector registry end to end: a platform registered at test time, with nothing but a parser module, its
registration and its fixtures (the three files of docs/connectors.md), is accepted by the config, parsed by
``parse_page``, crawled by the generic spider, picked up by the parser tests and labelled by the digest."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from crawl_support import make_config
from scrapy.http import HtmlResponse, Request

from crawlers.items import Review
from crawlers.parsers import parse_page
from crawlers.spiders.registered import _spider_class
from molva.connectors import CONNECTORS, PLATFORMS, Connector, connector

# 1. the parser module, as docs/connectors.md shows it
PARSER = """
from urllib.parse import urljoin

from parsel import Selector

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text


def parse_exampleforum(body, url):
    page = Selector(text=as_text(body))
    return [
        Review(platform="exampleforum", external_id=post.attrib["data-id"], url=url, kind="mention",
               text=clean_text(" ".join(post.css(".body ::text").getall())),
               author=post.css(".user::text").get(), published_at=post.css("time::attr(datetime)").get())
        for post in page.css("article.post")
    ]


def next_page_exampleforum(body, url):
    href = Selector(text=as_text(body)).css("a.next::attr(href)").get()
    return urljoin(url, href) if href else None
"""
# 3. a saved page
PAGE = """<html><body>
<article class="post" data-id="p1"><span class="user">Ann</span><time datetime="2026-11-20T10:00:00Z"></time>
<div class="body">Courier was <b>two hours</b> late.</div></article>
<article class="post" data-id="p2"><span class="user">Bob</span><time datetime="2026-11-21T09:00:00Z"></time>
<div class="body">Fresh bread, fast delivery.</div></article>
<a class="next" href="/board/acme?page=2">next</a>
</body></html>"""
URL = "https://forum.example/board/acme"


@pytest.fixture
def exampleforum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Connector:
    (tmp_path / "exampleforum_parser.py").write_text(PARSER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # 2. its registration
    entry = Connector(
        "exampleforum", "Example Forum", "Пример-форум", "#0f766e",
        parser="exampleforum_parser:parse_exampleforum", next_page="exampleforum_parser:next_page_exampleforum",
    )  # fmt: skip
    monkeypatch.setitem(CONNECTORS, entry.name, entry)
    yield entry
    sys.modules.pop("exampleforum_parser", None)


def test_the_config_accepts_a_registered_platform_and_names_the_known_ones(tmp_path: Path, exampleforum) -> None:
    from pydantic import ValidationError

    cfg = make_config(tmp_path, [{"id": "acme-forum", "platform": "exampleforum", "url": URL}])
    assert cfg.sources[0].platform == "exampleforum"
    with pytest.raises(ValidationError, match="unknown platform 'myspace'; choose one of structured"):
        make_config(tmp_path, [{"id": "acme-x", "platform": "myspace", "url": URL}])


def test_parse_page_dispatches_through_the_registry(exampleforum) -> None:
    reviews = parse_page("exampleforum", PAGE.encode(), URL)
    assert [(r.external_id, r.author, r.text) for r in reviews] == [
        ("p1", "Ann", "Courier was two hours late."),
        ("p2", "Bob", "Fresh bread, fast delivery."),
    ]
    with pytest.raises(ValueError, match="unknown platform 'nope'"):
        parse_page("nope", PAGE, URL)


def test_the_generic_spider_parses_and_follows_the_registered_next_page(tmp_path: Path, exampleforum) -> None:
    spec = tmp_path / "spec.json"
    source = {"id": "acme-forum", "brand": "acme", "platform": "exampleforum", "url": URL, "options": {}}
    spec.write_text(json.dumps({"source": source, "items_path": str(tmp_path / "items.jsonl")}), encoding="utf-8")
    spider = _spider_class("exampleforum")(spec=str(spec))
    assert spider.name == "exampleforum"
    response = HtmlResponse(URL, body=PAGE.encode(), encoding="utf-8", request=Request(URL))
    out = list(spider.parse(response))
    items = [o for o in out if isinstance(o, Review)]
    requests = [o for o in out if isinstance(o, Request)]
    assert [i.external_id for i in items] == ["p1", "p2"]
    assert all(i.source_id == "acme-forum" and i.brand_id == "acme" for i in items)
    assert [r.url for r in requests] == ["https://forum.example/board/acme?page=2"]


def test_the_parser_tests_discover_a_new_platforms_fixtures(tmp_path: Path, exampleforum) -> None:
    from test_crawl_parsers import discovered_cases

    folder = tmp_path / "fixtures" / "exampleforum"
    folder.mkdir(parents=True)
    (folder / "page1.html").write_text(PAGE, encoding="utf-8")
    (folder / "page1.url").write_text(URL + "\n", encoding="utf-8")
    assert discovered_cases(tmp_path / "fixtures") == {
        "exampleforum_page1": ("exampleforum/page1.html", "exampleforum", URL, None)
    }


def test_the_digest_labels_and_colours_come_from_the_registry(exampleforum) -> None:
    from molva.digest.charts import color_for
    from molva.digest.i18n import Translator

    assert Translator("en").platform("exampleforum") == "Example Forum"
    assert Translator("ru").platform("exampleforum") == "Пример-форум"
    assert color_for("exampleforum", 3) == "#0f766e"
    assert Translator("en").platform("yandex_maps") == "Yandex Maps"


def test_every_registered_platform_has_a_spider_scrapy_finds() -> None:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    assert sorted(loader.list()) == sorted(PLATFORMS)
    for name in PLATFORMS:
        assert loader.load(name).platform == name
        assert connector(name).load_parser() is not None
