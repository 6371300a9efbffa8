"""Trustpilot company pages (``/review/<domain>``) through ``__NEXT_DATA__``; follows ``?page=N``."""

from __future__ import annotations

from crawlers.spiders.base import ReviewSpider


class TrustpilotSpider(ReviewSpider):
    name = platform = "trustpilot"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [f"{self.connector.real_root}/review/{self.source['platform_id']}?sort=recency"]
        return super().start_urls_for()
