"""Item pipeline: the review-record contract (validate, normalise, pseudonymise authors) → drop duplicates within
the crawl → write out.

Every dropped item is counted with its reason on the spider (``spider.crawl_errors``) so it lands in ``crawl_runs``;
nothing raises past a pipeline, so one odd review never stops a crawl.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatter

from crawlers.items import Review
from molva.privacy import pseudonymise, resolve_salt
from molva.records import RecordError, clean_record, iso_utc


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


class ContractPipeline(_Stage):
    """Validate, normalise and pseudonymise each item by the review-record contract (:mod:`molva.records`), the same
    rules the warehouse loader applies; authors become ``anon:<hmac>`` before anything is written."""

    def process_item(self, item: Review) -> Review:
        spider = self.spider
        privacy = getattr(spider, "privacy", None) or {}
        source = getattr(spider, "source", None) or {}
        pseudo = privacy.get("pseudonymise_authors", True)
        salt = resolve_salt(privacy.get("salt"), allow_dev_salt=bool(privacy.get("allow_dev_salt")), where="crawl")
        if pseudo and item.author:  # before validation: a dropped item must not carry a raw name anywhere
            item.author = pseudonymise(item.author, salt)
        try:
            clean = clean_record(
                item.to_dict(),
                now=datetime.now(UTC),
                salt=salt,
                pseudonymise_authors=pseudo,
                source_id=source.get("id"),
                brand_id=source.get("brand"),
            )
        except RecordError as exc:
            _record(spider, item, str(exc))
            raise DropItem(str(exc)) from None
        return apply_clean(item, clean)

    @staticmethod
    def problem(item: Review, now: datetime) -> str | None:
        """Why the item breaks the contract (``field: reason``), or ``None``."""
        try:
            clean_record(item.to_dict(), now=now, salt="check", pseudonymise_authors=False)
        except RecordError as exc:
            return str(exc)
        return None


def apply_clean(item: Review, clean: dict[str, Any]) -> Review:
    """Write a record's normal form back into the item (dates as UTC ISO strings, the JSON Lines form)."""
    for name in ("platform", "external_id", "kind", "source_id", "brand_id", "url", "author", "rating",
                 "rating_scale", "title", "text", "language", "reply_text", "parser_version"):  # fmt: skip
        setattr(item, name, clean[name])
    if clean["rating_min"] is not None:
        item.rating_min = clean["rating_min"]
    item.published_at = iso_utc(clean["published_at"])
    item.reply_at = iso_utc(clean["reply_at"])
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
