"""Any site with schema.org Review markup or hReview; follows ``rel=next`` or ``options.next_selector``."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.structured import next_page_structured, parse_structured
from crawlers.spiders.base import ReviewSpider


class StructuredSpider(ReviewSpider):
    name = platform = "structured"

    def extract(self, response: Response) -> list[Review]:
        return parse_structured(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        return self.follow_url(
            response, next_page_structured(response.body, self.page_url(response), self.options.get("next_selector"))
        )
