"""Apple App Store reviews from the RSS JSON feed: ``platform_id`` = app id, ``options.country`` (default us)."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.appstore import DEFAULT_BASE, feed_url, next_page_appstore, parse_appstore
from crawlers.spiders.base import ReviewSpider


class AppStoreSpider(ReviewSpider):
    name = platform = "appstore"
    real_root = DEFAULT_BASE

    def start_urls_for(self) -> list[str]:
        app_id = self.source.get("platform_id") or self.options.get("app_id")
        if not app_id:
            raise ValueError(f"source {self.source.get('id')!r}: platform_id (the App Store app id) is required")
        countries = self.options.get("countries") or [self.options.get("country", "us")]
        return [feed_url(str(app_id), country, 1) for country in countries]

    def extract(self, response: Response) -> list[Review]:
        return parse_appstore(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        url = next_page_appstore(response.body, self.page_url(response))
        return [self.make_request(url)] if url else []
