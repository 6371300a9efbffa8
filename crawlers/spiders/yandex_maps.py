"""Yandex Maps organisation reviews as served (schema.org microdata); one page, no private APIs."""

from __future__ import annotations

from scrapy.http import Response

from crawlers.items import Review
from crawlers.parsers.yandex_maps import parse_yandex_maps
from crawlers.spiders.base import ReviewSpider


class YandexMapsSpider(ReviewSpider):
    name = platform = "yandex_maps"
    real_root = "https://yandex.ru"

    def extract(self, response: Response) -> list[Review]:
        return parse_yandex_maps(response.body, self.page_url(response))
