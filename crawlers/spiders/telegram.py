"""Public Telegram channels through the ``t.me/s/<channel>`` web preview, read backwards (``?before=<id>``)."""

from __future__ import annotations

from crawlers.parsers.telegram import channel_url
from crawlers.spiders.base import ReviewSpider


class TelegramSpider(ReviewSpider):
    name = platform = "telegram"

    def start_urls_for(self) -> list[str]:
        if not self.source.get("url") and self.source.get("platform_id"):
            return [channel_url(str(self.source["platform_id"]))]
        return super().start_urls_for()
