"""``reddit`` connector: subreddit listings, search results and comment threads through the public ``.json`` views.

Posts and comments are mentions (``kind="mention"``, no rating); score, permalink, subreddit and the parent are kept in
``extra``. Collapsed comments (``kind: more``) are fetched through ``/api/morechildren`` (100 ids a request).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_multiline, clean_text, epoch_to_iso

PARSER_VERSION = "reddit/1"
DEFAULT_BASE = "https://www.reddit.com"
_GONE = {"[deleted]", "[removed]"}
MORE_BATCH = 100


def _load(body: bytes | str) -> Any:
    text = as_text(body)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _things(data: Any) -> list[dict[str, Any]]:
    """Top-level things of a listing, a thread (post + comments) or a morechildren answer."""
    if isinstance(data, list):
        return [t for part in data for t in _things(part)]
    if not isinstance(data, dict):
        return []
    if data.get("kind") == "Listing":
        return list((data.get("data") or {}).get("children") or [])
    if "json" in data:
        return list(((data["json"].get("data") or {}).get("things")) or [])
    return []


def _walk(things: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for thing in things:
        out.append(thing)
        replies = (thing.get("data") or {}).get("replies")
        if isinstance(replies, dict):
            out.extend(_walk(_things(replies)))
    return out


def parse_reddit(body: bytes | str, url: str) -> list[Review]:
    """Every post (``t3``) and comment (``t1``) in the document, replies included."""
    out: list[Review] = []
    for thing in _walk(_things(_load(body))):
        kind, data = thing.get("kind"), thing.get("data") or {}
        if kind not in ("t1", "t3") or not data.get("name"):
            continue
        if kind == "t3":
            title = clean_text(data.get("title"))
            body_text = clean_multiline(data.get("selftext"))
            text = body_text if body_text and body_text not in _GONE else title
        else:
            title, text = None, clean_multiline(data.get("body"))
        if not text or text in _GONE:
            continue
        author = data.get("author")
        permalink = data.get("permalink") or _permalink(data)
        out.append(
            Review(
                platform="reddit",
                external_id=str(data["name"]),
                text=text,
                title=title,
                url=f"{DEFAULT_BASE}{permalink}" if permalink else None,
                author=None if author in (None, "[deleted]") else str(author),
                published_at=epoch_to_iso(data.get("created_utc") or data.get("created")),
                kind="mention",
                parser_version=PARSER_VERSION,
                extra={
                    "score": data.get("score"),
                    "permalink": permalink,
                    "subreddit": data.get("subreddit"),
                    "parent_id": data.get("parent_id"),
                    "link_id": data.get("link_id"),
                    "num_comments": data.get("num_comments"),
                    "link_url": data.get("url") if kind == "t3" else None,
                },
            )
        )
    return out


def _permalink(data: dict[str, Any]) -> str | None:
    """Old comment JSON has no ``permalink``: rebuild the canonical one from the post and comment ids."""
    link_id, comment_id = data.get("link_id"), data.get("id")
    if isinstance(link_id, str) and comment_id:
        return f"/comments/{link_id.removeprefix('t3_')}/_/{comment_id}/"
    return None


def next_requests_reddit(body: bytes | str, url: str, base_url: str | None = None) -> list[str]:
    """The next listing page (``after``) and one ``morechildren`` URL per 100 collapsed comment ids."""
    data = _load(body)
    base = (base_url or DEFAULT_BASE).rstrip("/")
    out: list[str] = []
    listing = data if isinstance(data, dict) and data.get("kind") == "Listing" else None
    after = ((listing or {}).get("data") or {}).get("after")
    if after:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        query["after"] = [after]
        out.append(urlunsplit(parts._replace(query=urlencode(query, doseq=True))))
    by_link: dict[str, list[str]] = {}  # collapsed comment ids of each thread, fetched 100 per request
    for thing in _walk(_things(data)):
        if thing.get("kind") != "more":
            continue
        more = thing.get("data") or {}
        link_id = more.get("link_id") or _link_id(data) or more.get("parent_id")
        if link_id:
            by_link.setdefault(link_id, []).extend(c for c in more.get("children") or [] if c)
    for link_id, children in by_link.items():
        unique = list(dict.fromkeys(children))
        for start in range(0, len(unique), MORE_BATCH):
            query_string = urlencode(
                {
                    "api_type": "json",
                    "link_id": link_id,
                    "children": ",".join(unique[start : start + MORE_BATCH]),
                    "raw_json": 1,
                }
            )
            out.append(f"{base}/api/morechildren.json?{query_string}")
    return out


def _link_id(data: Any) -> str | None:
    for thing in _walk(_things(data)):
        d = thing.get("data") or {}
        if thing.get("kind") == "t3":
            return d.get("name")
        if d.get("link_id"):
            return d.get("link_id")
    return None
