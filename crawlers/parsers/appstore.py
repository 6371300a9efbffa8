"""``appstore`` connector: Apple's public customer-reviews RSS feed in its JSON form.

``{base}/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json``: 50 reviews a page, pages 1–10,
so at most 500 most recent reviews per country; no replies from the developer are in the feed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, to_iso, to_number

PARSER_VERSION = "appstore/1"
DEFAULT_BASE = "https://itunes.apple.com"
MAX_PAGE = 10
_PAGE = re.compile(r"/page=(\d+)/")


def feed_url(app_id: str, country: str = "us", page: int = 1, base_url: str | None = None) -> str:
    """The JSON feed URL of one page (most recent first)."""
    base = (base_url or DEFAULT_BASE).rstrip("/")
    return f"{base}/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"


def _label(entry: dict[str, Any], key: str) -> Any:
    value = entry.get(key)
    return value.get("label") if isinstance(value, dict) else value


def parse_appstore(body: bytes | str, url: str) -> list[Review]:
    """The reviews of one feed page (the app's own entry, which has no rating, is skipped)."""
    text = as_text(body)
    if not text.strip():
        return []
    try:
        feed = json.loads(text).get("feed") or {}
    except (json.JSONDecodeError, AttributeError):
        return []
    entries = feed.get("entry") or []
    if isinstance(entries, dict):
        entries = [entries]
    country = _country(url)
    out: list[Review] = []
    for entry in entries:
        rating = to_number(_label(entry, "im:rating"))
        review_id = _label(entry, "id")
        content = clean_text(_label(entry, "content"))
        if rating is None or not review_id or not content:
            continue
        author = entry.get("author") or {}
        link = entry.get("link") or {}
        out.append(
            Review(
                platform="appstore",
                external_id=str(review_id),
                text=content,
                title=clean_text(_label(entry, "title")),
                url=(link.get("attributes") or {}).get("href") if isinstance(link, dict) else None,
                rating=rating,
                rating_scale=5.0,
                author=clean_text(_label(author, "name")),
                published_at=to_iso(_label(entry, "updated")),
                parser_version=PARSER_VERSION,
                extra={
                    "version": _label(entry, "im:version"),
                    "vote_sum": to_number(_label(entry, "im:voteSum")),
                    "vote_count": to_number(_label(entry, "im:voteCount")),
                    "country": country,
                },
            )
        )
    return out


def _country(url: str) -> str | None:
    match = re.search(r"/([a-z]{2})/rss/", url)
    return match.group(1) if match else None


def next_page_appstore(body: bytes | str, url: str) -> str | None:
    """The next page number in the same URL, while the page had reviews and the feed's 10-page limit is not reached."""
    match = _PAGE.search(url)
    if not match or not parse_appstore(body, url):
        return None
    page = int(match.group(1))
    if page >= MAX_PAGE:
        return None
    return url[: match.start()] + f"/page={page + 1}/" + url[match.end() :]
