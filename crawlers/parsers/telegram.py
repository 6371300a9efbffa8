"""``telegram`` connector: a public channel's web preview (``t.me/s/<channel>``), read backwards in time.

The preview shows about 20 recent messages; older ones come from ``?before=<id>``. Messages are mentions (no rating);
views and the signed author (or the channel name) are kept. Private channels and comments are not reachable this way.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, to_iso

PARSER_VERSION = "telegram/1"
DEFAULT_BASE = "https://t.me"


def channel_url(channel: str, base_url: str | None = None) -> str:
    return f"{(base_url or DEFAULT_BASE).rstrip('/')}/s/{channel.lstrip('@')}"


def _views(value: str | None) -> int | None:
    """``"1.2K"`` → 1200."""
    if not value:
        return None
    match = re.match(r"([\d.]+)\s*([KM]?)", value.strip(), re.I)
    if not match:
        return None
    factor = {"": 1, "K": 1_000, "M": 1_000_000}[match.group(2).upper()]
    return int(float(match.group(1)) * factor)


def parse_telegram(body: bytes | str, url: str) -> list[Review]:
    """The messages of one preview page, oldest first as shown; messages without text (media only) are skipped."""
    from parsel import Selector

    text = as_text(body)
    if not text.strip():
        return []
    out: list[Review] = []
    for node in Selector(text=text).css("div.tgme_widget_message[data-post]"):
        post = node.attrib.get("data-post", "")
        content = clean_text(" ".join(node.css(".tgme_widget_message_text").xpath(".//text()").getall()))
        if not post or not content:
            continue
        author = clean_text(node.css(".tgme_widget_message_from_author::text").get()) or clean_text(
            node.css(".tgme_widget_message_owner_name ::text").get()
        )
        link = node.css("a.tgme_widget_message_date::attr(href)").get()
        out.append(
            Review(
                platform="telegram",
                external_id=post,
                text=content,
                url=link or urljoin(url, f"/{post}"),
                author=author,
                published_at=to_iso(node.css("a.tgme_widget_message_date time::attr(datetime)").get()),
                kind="mention",
                parser_version=PARSER_VERSION,
                extra={
                    "views": _views(node.css(".tgme_widget_message_views::text").get()),
                    "channel": post.split("/")[0],
                },
            )
        )
    return out


def next_page_telegram(body: bytes | str, url: str) -> str | None:
    """Older messages: the page's "load more" link, else ``?before=<smallest id on the page>``."""
    from parsel import Selector

    text = as_text(body)
    if not text.strip():
        return None
    page = Selector(text=text)
    href = page.css("a.tme_messages_more[data-before]::attr(href)").get()
    if href:
        return urljoin(url, href)
    ids = [
        int(p.split("/")[-1]) for p in page.css("div.tgme_widget_message::attr(data-post)").getall() if p[-1:].isdigit()
    ]
    if not ids or min(ids) <= 1:
        return None
    return url.split("?")[0] + f"?before={min(ids)}"
