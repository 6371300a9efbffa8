"""Item pipeline: validate → normalise → pseudonymise authors → drop duplicates within the crawl → write out.

Every dropped item is counted with its reason on the spider (``spider.crawl_errors``) so it lands in ``crawl_runs``;
nothing raises past a pipeline, so one odd review never stops a crawl.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatter

from crawlers.items import Review
from crawlers.parsers.common import clean_text, to_iso

FUTURE_TOLERANCE = timedelta(days=1)  # platforms in far-east time zones show "tomorrow" for a few hours


class _Stage:
    """A pipeline stage that reaches the spider through the crawler (Scrapy ≥ 2.13 no longer passes it)."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> _Stage:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider if self.crawler is not None else None


def _record(spider: Any, item: Review, reason: str) -> None:
    spider.n_dropped = getattr(spider, "n_dropped", 0) + 1
    errors = getattr(spider, "crawl_errors", None)
    if errors is not None:
        errors.append({"url": item.url, "error": "InvalidItem", "message": f"{item.external_id}: {reason}"})


class PrivateLogFormatter(LogFormatter):
    """Scrapy's log formatter, but a dropped item is logged by its URL and id only, never with its fields."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> Any:
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped: %(exception)s (%(id)s)"
        entry["args"] = {
            "exception": exception,
            "id": getattr(item, "external_id", None) or getattr(item, "url", None) or type(item).__name__,
        }
        return entry


class ValidatePipeline(_Stage):
    """Required fields present, rating within the platform's scale, publication date not in the future."""

    def process_item(self, item: Review) -> Review:
        spider = self.spider
        problem = self.problem(item, datetime.now(UTC))
        if problem:
            _record(spider, item, problem)
            raise DropItem(problem)
        return item

    @staticmethod
    def problem(item: Review, now: datetime) -> str | None:
        """Why the item cannot be stored, or ``None``."""
        if not item.platform:
            return "platform is missing"
        if not item.external_id:
            return "external_id is missing"
        if not clean_text(item.text):
            return "text is empty"
        if item.rating is not None:
            if item.rating_scale is None:
                return f"rating {item.rating} without rating_scale"
            if not (item.rating_min <= item.rating <= item.rating_scale):
                return f"rating {item.rating} outside {item.rating_min}..{item.rating_scale}"
        if item.kind not in ("review", "mention"):
            return f"kind {item.kind!r} is not review|mention"
        for name in ("published_at", "reply_at"):
            value = getattr(item, name)
            if value is None:
                continue
            try:
                moment = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                return f"{name} {value!r} is not an ISO 8601 date"
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            if moment > now + FUTURE_TOLERANCE:
                return f"{name} {value} is in the future"
        return None


class NormalisePipeline(_Stage):
    """Dates as UTC ISO strings, ratings as floats, whitespace trimmed, source and brand attached."""

    def process_item(self, item: Review) -> Review:
        spider = self.spider
        item.published_at = to_iso(item.published_at) if item.published_at else None
        item.reply_at = to_iso(item.reply_at) if item.reply_at else None
        item.rating = float(item.rating) if item.rating is not None else None
        item.rating_scale = float(item.rating_scale) if item.rating_scale is not None else None
        item.text = item.text.strip()
        item.title = clean_text(item.title)
        item.reply_text = item.reply_text.strip() if item.reply_text else None
        source = getattr(spider, "source", None) or {}
        item.source_id = item.source_id or source.get("id")
        item.brand_id = item.brand_id or source.get("brand")
        return item


class PseudonymisePipeline(_Stage):
    """Authors become ``anon:<hmac>`` before anything is written, so raw names never reach disk."""

    def process_item(self, item: Review) -> Review:
        from molva.privacy import pseudonymise

        spider = self.spider
        privacy = getattr(spider, "privacy", {"pseudonymise_authors": True, "salt": None})
        if item.author and privacy.get("pseudonymise_authors", True):
            from molva.privacy import resolve_salt

            salt = resolve_salt(privacy.get("salt"), allow_dev_salt=bool(privacy.get("allow_dev_salt")), where="crawl")
            item.author = pseudonymise(item.author, salt)
        return item


class DedupPipeline(_Stage):
    """One copy per (platform, external_id) per crawl; the set survives a JOBDIR resume via ``spider.state``."""

    def open_spider(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Review) -> Review:
        spider = self.spider
        state = getattr(spider, "state", None)
        seen = state.setdefault("seen_ids", set()) if isinstance(state, dict) else self.seen
        key = f"{item.platform}:{item.external_id}"
        if key in seen:
            spider.n_duplicates = getattr(spider, "n_duplicates", 0) + 1
            raise DropItem(f"duplicate {key}", log_level="DEBUG")  # expected (repeated pages), not a problem
        seen.add(key)
        return item


class SinkPipeline(_Stage):
    """Appends each item as a JSON line to the run's items file (``spider.items_path``); the runner loads it."""

    def open_spider(self) -> None:
        spider = self.spider
        path = Path(getattr(spider, "items_path", None) or "molva-items.jsonl")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = path.open("a", encoding="utf-8")

    def process_item(self, item: Review) -> Review:
        self.handle.write(json.dumps(item.to_dict(), ensure_ascii=False, default=str) + "\n")
        self.handle.flush()
        spider = self.spider
        spider.n_items = getattr(spider, "n_items", 0) + 1
        return item

    def close_spider(self) -> None:
        self.handle.close()
