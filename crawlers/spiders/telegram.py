"""Public Telegram channels through the ``t.me/s/<channel>`` web preview, read backwards (``?before=<id>``)."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.telegram import channel_url, next_page_telegram, parse_telegram
from crawlers.spiders.base import ReviewSpider


class TelegramSpider(ReviewSpider):
    name = platform = "telegram"
    real_root = "https://t.me"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [channel_url(str(self.source["platform_id"]))]
        return super().start_urls_for()

    def extract(self, response: Response) -> list[Review]:
        return parse_telegram(response.body, self.page_url(response))

    def next_requests(self, response: Response) -> list[Request]:
        return self.follow_url(response, next_page_telegram(response.body, self.page_url(response)))
