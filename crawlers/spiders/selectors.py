"""Sites without structured data, extracted with a YAML selector file (``options.selectors``: a path or a mapping)."""

from __future__ import annotations

from functools import cached_property

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.selectors import SelectorConfig, load_selector_config, next_page_selectors, parse_selectors
from crawlers.spiders.base import ReviewSpider


class SelectorsSpider(ReviewSpider):
    name = platform = "selectors"

    @cached_property
    def selector_config(self) -> SelectorConfig:
        value = self.options.get("selectors")
        if isinstance(value, dict):
            return SelectorConfig.model_validate(value)
        if not value:
            raise ValueError(f"source {self.source.get('id')!r}: options.selectors (a YAML file) is required")
        return load_selector_config(value)

    def start_urls_for(self) -> list[str]:
        self.selector_config  # noqa: B018 - fail before any request when the selector file is broken
        return super().start_urls_for()

    def extract(self, response: Response) -> list[Review]:
        return parse_selectors(response.body, self.page_url(response), self.selector_config)

    def next_requests(self, response: Response) -> list[Request]:
        return self.follow_url(
            response, next_page_selectors(response.body, self.page_url(response), self.selector_config)
        )
