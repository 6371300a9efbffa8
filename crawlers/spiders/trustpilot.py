"""Trustpilot company pages (``/review/<domain>``) through ``__NEXT_DATA__``; follows ``?page=N``."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.trustpilot import next_page_trustpilot, parse_trustpilot
from crawlers.spiders.base import ReviewSpider


class TrustpilotSpider(ReviewSpider):
    name = platform = "trustpilot"
    real_root = "https://www.trustpilot.com"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [f"{self.real_root}/review/{self.source['platform_id']}?sort=recency"]
        return super().start_urls_for()

    def extract(self, response: Response) -> list[Review]:
        return parse_trustpilot(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        return self.follow_url(response, next_page_trustpilot(response.body, self.page_url(response)))
