"""Hacker News mentions through the Algolia search API: ``platform_id`` or ``options.query`` is the search."""

from __future__ import annotations

from crawlers.parsers.hackernews import search_url
from crawlers.spiders.base import ReviewSpider


class HackerNewsSpider(ReviewSpider):
    name = platform = "hackernews"

    def start_urls_for(self) -> list[str]:
        query = self.options.get("query") or self.source.get("platform_id")
        if not query:
            if self.source.get("url"):
                return super().start_urls_for()
            raise ValueError(f"source {self.source.get('id')!r}: platform_id (the search query) is required")
        return [search_url(str(query))]
