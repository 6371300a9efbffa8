"""Retry with backoff: 429 and 5xx responses are retried after ``Retry-After`` (seconds or an HTTP date) when the
server sends it, else after an exponential delay; Scrapy's own RetryMiddleware retries at once, which hammers an
overloaded server. The wait does not block other requests (it is an asynchronous sleep).
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After: 120`` or ``Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`` → seconds to wait (≥ 0)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    if seconds <= 0:
        return
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose HTTP retries wait: ``Retry-After`` if given, else ``base × 2^attempt`` (capped)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("MOLVA_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("MOLVA_BACKOFF_MAX", 120.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            wait = self.backoff_base * (2**attempt)
        wait = min(wait, self.backoff_max)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if self.crawler.spider is not None:
            self.crawler.spider.logger.info("HTTP %s on %s: retrying in %.1fs", response.status, request.url, wait)
        await _sleep(wait)
        return retry
