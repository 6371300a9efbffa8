"""``trustpilot`` connector: a company's review pages through the ``__NEXT_DATA__`` JSON the page is rendered from.

Gives more than the page's JSON-LD: company replies, likes, verification, the experience date and the trust score.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, to_iso

PARSER_VERSION = "trustpilot/1"
_NEXT_DATA = re.compile(r'<script[^>]*id="__NEXT_DATA__"[^>]*>(.*?)</script>', re.S)


def _page_props(body: bytes | str) -> dict[str, Any]:
    match = _NEXT_DATA.search(as_text(body))
    if not match:
        return {}
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return {}
    props = data.get("props", {}).get("pageProps", {})
    return props if isinstance(props, dict) else {}


def parse_trustpilot(body: bytes | str, url: str) -> list[Review]:
    """The reviews of one Trustpilot company page, with replies and the company's trust score in ``extra``."""
    props = _page_props(body)
    unit = props.get("businessUnit") or {}
    out: list[Review] = []
    for item in props.get("reviews") or []:
        text = clean_text(item.get("text"))
        if not text or not item.get("id"):
            continue
        reply = item.get("reply") or {}
        dates = item.get("dates") or {}
        verification = (item.get("labels") or {}).get("verification") or {}
        consumer = item.get("consumer") or {}
        out.append(
            Review(
                platform="trustpilot",
                external_id=str(item["id"]),
                text=text,
                title=clean_text(item.get("title")),
                url=f"https://www.trustpilot.com/reviews/{item['id']}",
                rating=float(item["rating"]) if item.get("rating") is not None else None,
                rating_scale=5.0,
                author=clean_text(consumer.get("displayName")),
                published_at=to_iso(dates.get("publishedDate")),
                reply_text=clean_text(reply.get("message")),
                reply_at=to_iso(reply.get("publishedDate")),
                language=item.get("language"),
                parser_version=PARSER_VERSION,
                extra={
                    "likes": item.get("likes"),
                    "experienced_at": to_iso(dates.get("experiencedDate")),
                    "updated_at": to_iso(dates.get("updatedDate")),
                    "is_verified": bool(verification.get("isVerified")),
                    "country": consumer.get("countryCode"),
                    "company": unit.get("identifyingName"),
                    "trust_score": unit.get("trustScore"),
                },
            )
        )
    return out


def company_stats(body: bytes | str) -> dict[str, Any]:
    """Trust score, star rating and review count of the company, from the same JSON."""
    unit = _page_props(body).get("businessUnit") or {}
    return {k: unit.get(k) for k in ("identifyingName", "displayName", "trustScore", "stars", "numberOfReviews")}


def next_page_trustpilot(body: bytes | str, url: str) -> str | None:
    """``?page=N+1`` of the same URL while ``pagination.currentPage < totalPages``."""
    pagination = ((_page_props(body).get("filters") or {}).get("pagination")) or {}
    current, total = pagination.get("currentPage"), pagination.get("totalPages")
    if not isinstance(current, int) or not isinstance(total, int) or current >= total:
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    query["page"] = [str(current + 1)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
