"""Reddit listings, searches and threads through the ``.json`` views; ``after`` pages and ``morechildren``."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.reddit import next_requests_reddit, parse_reddit
from crawlers.spiders.base import ReviewSpider


class RedditSpider(ReviewSpider):
    name = platform = "reddit"
    real_root = "https://www.reddit.com"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [f"{self.real_root}/r/{self.source['platform_id']}/new.json?limit=100&raw_json=1"]
        return super().start_urls_for()

    def extract(self, response: Response) -> list[Review]:
        return parse_reddit(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        urls = next_requests_reddit(response.body, self.page_url(response), self.real_root)
        return [self.make_request(url) for url in urls]
