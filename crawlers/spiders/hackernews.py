"""Hacker News mentions through the Algolia search API: ``platform_id`` or ``options.query`` is the search."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.hackernews import DEFAULT_BASE, next_page_hackernews, parse_hackernews, search_url
from crawlers.spiders.base import ReviewSpider


class HackerNewsSpider(ReviewSpider):
    name = platform = "hackernews"
    real_root = DEFAULT_BASE

    def start_urls_for(self) -> list[str]:
        query = self.options.get("query") or self.source.get("platform_id")
        if not query:
            if self.source.get("url"):
                return super().start_urls_for()
            raise ValueError(f"source {self.source.get('id')!r}: platform_id (the search query) is required")
        return [search_url(str(query))]

    def extract(self, response: Response) -> list[Review]:
        return parse_hackernews(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        url = next_page_hackernews(response.body, self.page_url(response))
        return [self.make_request(url)] if url else []
