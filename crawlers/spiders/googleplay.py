"""Google Play reviews through the batchexecute RPC: ``platform_id`` = package name; ``options.lang``/``country``;
each response's continuation token fetches the next page."""

from __future__ import annotations

from scrapy.http import Request, Response

from crawlers.items import Review
from crawlers.parsers.googleplay import continuation_token, parse_googleplay, rpc_body, rpc_url
from crawlers.spiders.base import ReviewSpider


class GooglePlaySpider(ReviewSpider):
    name = platform = "googleplay"

    @property
    def app_id(self) -> str:
        app_id = self.source.get("platform_id") or self.options.get("app_id")
        if not app_id:
            raise ValueError(f"source {self.source.get('id')!r}: platform_id (the package name) is required")
        return str(app_id)

    def start_urls_for(self) -> list[str]:
        language = self.options.get("lang") or self.options.get("language") or "en"
        return [rpc_url(language, self.options.get("country", "us"))]

    def make_request(self, url: str, continuation: str | None = None, **kwargs: object) -> Request:  # type: ignore[override]
        body = rpc_body(self.app_id, int(self.options.get("count", 100)), continuation)
        return Request(
            self.rebase(url)
            + ("#" + continuation[-16:] if continuation else ""),  # distinct URL per page for loop detection
            method="POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
            callback=self.parse,
            errback=self.on_error,
            dont_filter=True,
        )

    def extract(self, response: Response) -> list[Review]:
        return parse_googleplay(response.body, self.page_url(response), app_id=self.app_id)

    def next_requests(self, response: Response) -> list[Request]:
        token = continuation_token(response.body)
        return [self.make_request(self.page_url(response).split("#")[0], continuation=token)] if token else []
