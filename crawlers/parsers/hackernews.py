"""``hackernews`` connector: brand mentions in stories and comments through the Algolia HN search API.

``{base}/api/v1/search_by_date?query=…&tags=(story,comment)&hitsPerPage=100&page=N``, newest first. Algolia serves at
most 1,000 hits per query (``nbPages`` × ``hitsPerPage``); older mentions need a narrower query or date filter.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, epoch_to_iso, join_paragraphs, to_iso

PARSER_VERSION = "hackernews/1"
DEFAULT_BASE = "https://hn.algolia.com"


def search_url(query: str, base_url: str | None = None, hits_per_page: int = 100) -> str:
    base = (base_url or DEFAULT_BASE).rstrip("/")
    params = {"query": query, "tags": "(story,comment)", "hitsPerPage": hits_per_page, "page": 0}
    return f"{base}/api/v1/search_by_date?{urlencode(params)}"


def _html_to_text(value: str | None) -> str | None:
    """Algolia's HTML (``<p>`` between paragraphs, ``<a>``, ``<i>``) → text with blank lines between paragraphs."""
    if not value:
        return None
    import re

    from w3lib.html import remove_tags

    return join_paragraphs([remove_tags(part) for part in re.split(r"<p>", value, flags=re.I)])


def parse_hackernews(body: bytes | str, url: str) -> list[Review]:
    """The hits of one search page as mentions (points and comment counts in ``extra``)."""
    text = as_text(body)
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return []
    out: list[Review] = []
    for hit in data.get("hits") or []:
        object_id = hit.get("objectID")
        content = _html_to_text(hit.get("comment_text") or hit.get("story_text")) or clean_text(hit.get("title"))
        if not object_id or not content:
            continue
        is_comment = bool(hit.get("comment_text"))
        out.append(
            Review(
                platform="hackernews",
                external_id=str(object_id),
                text=content,
                title=None if is_comment else clean_text(hit.get("title")),
                url=f"https://news.ycombinator.com/item?id={object_id}",
                author=hit.get("author"),
                published_at=epoch_to_iso(hit.get("created_at_i")) or to_iso(hit.get("created_at")),
                kind="mention",
                parser_version=PARSER_VERSION,
                extra={
                    "points": hit.get("points"),
                    "num_comments": hit.get("num_comments"),
                    "story_id": hit.get("story_id"),
                    "story_title": hit.get("story_title"),
                    "link_url": hit.get("url"),
                    "type": "comment" if is_comment else "story",
                },
            )
        )
    return out


def next_page_hackernews(body: bytes | str, url: str) -> str | None:
    text = as_text(body)
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return None
    page, pages = data.get("page"), data.get("nbPages")
    if not isinstance(page, int) or not isinstance(pages, int) or page + 1 >= pages or not data.get("hits"):
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    query["page"] = [str(page + 1)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
