"""Quotes from reviews: trimmed to a readable length, linked to their review id and URL, never carrying an author.

Text stays raw here; the HTML template escapes it (Jinja autoescape) and :func:`markdown_escape` protects Markdown, so
a review containing ``<script>`` is shown as text everywhere.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

QUOTE_MAX = 220
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")


def trim(text: str, limit: int = QUOTE_MAX) -> str:
    """Collapse whitespace and cut at a word boundary before ``limit`` characters, ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def markdown_escape(text: str) -> str:
    """Escape text for Markdown chat messages: HTML entities for ``<>&`` and backslashes before Markdown syntax."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def pick_quotes(
    rows: list[dict[str, Any]],
    topic_id: str,
    kind: str,
    *,
    week_start: date | None = None,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """Up to ``limit`` quotes on a topic (complaint or praise) from ``quotes.sql`` rows.

    With ``week_start`` only that week's evidence is used; without it, the newest weeks of the window come first.
    A review is quoted once per topic, and a sentence many customers wrote word for word is quoted once.
    """
    chosen: list[dict[str, Any]] = []
    seen: set[str] = set()
    seen_text: set[str] = set()
    candidates = [
        r
        for r in rows
        if r["topic_id"] == topic_id
        and r["mention_kind"] == kind
        and (week_start is None or r["week_start"] == week_start)
    ]
    candidates.sort(key=lambda r: (-r["week_start"].toordinal(), r["evidence_rank"]))
    for row in candidates:
        text_key = " ".join(str(row["sentence_text"]).casefold().split())
        if row["review_id"] in seen or text_key in seen_text:
            continue
        seen.add(row["review_id"])
        seen_text.add(text_key)
        chosen.append(
            {
                "text": trim(str(row["sentence_text"])),
                "review_id": row["review_id"],
                "url": row["review_url"] if _safe_url(row["review_url"]) else None,
                "platform": row["platform"],
                "rating": row["rating_5"],
                "published_at": row["published_at"],
            }
        )
        if len(chosen) == limit:
            break
    return chosen


def _safe_url(url: object) -> bool:
    """Only http(s) links are rendered, so a stored ``javascript:`` URL can never become a clickable link."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))
