"""Reddit listings, searches and threads through the ``.json`` views; ``after`` pages and ``morechildren``."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.parsers.reddit import next_requests_reddit
from crawlers.spiders.base import ReviewSpider


class RedditSpider(ReviewSpider):
    name = platform = "reddit"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [f"{self.connector.real_root}/r/{self.source['platform_id']}/new.json?limit=100&raw_json=1"]
        return super().start_urls_for()

    def next_requests(self, response: Response) -> list[Request]:
        urls = next_requests_reddit(response.body, self.page_url(response), self.connector.real_root)
        return [self.make_request(url) for url in urls]
