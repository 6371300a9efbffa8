"""Apple App Store reviews from the RSS JSON feed: ``platform_id`` = app id, ``options.country`` (default us)."""

from __future__ import annotations

from crawlers.parsers.appstore import feed_url
from crawlers.spiders.base import ReviewSpider


class AppStoreSpider(ReviewSpider):
    name = platform = "appstore"

    def start_urls_for(self) -> list[str]:
        app_id = self.source.get("platform_id") or self.options.get("app_id")
        if not app_id:
            raise ValueError(f"source {self.source.get('id')!r}: platform_id (the App Store app id) is required")
        countries = self.options.get("countries") or [self.options.get("country", "us")]
        return [feed_url(str(app_id), country, 1) for country in countries]
