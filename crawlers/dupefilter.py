"""Scrapy's duplicate filter, but a redirect to a page already requested is an error of the run, not silence.

A redirect loop (A → B → A) or a next page redirected back to a page already read would otherwise be dropped by the
filter without a word, and the pages behind it lost with the run recorded as a success.
"""

from __future__ import annotations

from typing import Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request


class ReportingDupeFilter(RFPDupeFilter):
    def log(self, request: Request, spider: Any) -> None:
        super().log(request, spider)
        origins = request.meta.get("redirect_urls") or []
        record = getattr(spider, "record_error", None)
        if origins and record is not None:
            record(
                origins[0],
                "RedirectLoop",
                f"redirected ({' → '.join([*origins[1:], request.url]) or request.url}) to a page already "
                "requested: this page was not read",
            )
